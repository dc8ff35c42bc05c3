/* Characters as speech sees them: which are spaces, invisible, control or pictographs, and which
 * script a text's letters are written in. Ranges follow the Unicode blocks, close enough to
 * decide what an engine can read; they are not a full character database. */
#include "arvis/utf8.h"
#include "tts_text.h"

struct range {
    uint32_t lo, hi;
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool in_ranges(const struct range *r, size_t n, uint32_t cp)
{
    size_t lo = 0;
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < r[mid].lo) {
            hi = mid;
        } else if (cp > r[mid].hi) {
            lo = mid + 1;
        } else {
            return true;
        }
    }
    return false;
}

static const struct range spaces[] = {
    {0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},     {0x1680, 0x1680},
    {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
};

static const struct range controls[] = {
    {0x00, 0x1F},     {0x7F, 0x9F},       {0xFDD0, 0xFDEF},
    {0xFFFD, 0xFFFF}, {0x1FFFE, 0x1FFFF}, {0x10FFFE, 0x10FFFF},
};

static const struct range formats[] = {
    {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C},   {0x180B, 0x180F},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x206F},   {0xFE00, 0xFE0F},
    {0xFEFF, 0xFEFF}, {0xFFF9, 0xFFFB}, {0xE0000, 0xE007F}, {0xE0100, 0xE01EF},
};

/* Emoji and their parts (skin tones, regional indicators and keycaps are inside these), the
 * symbol and dingbat blocks they come from, arrows, and private-use icons. */
static const struct range pictographs[] = {
    {0x20DD, 0x20E4},    {0x2139, 0x2139}, {0x2190, 0x21FF}, {0x231A, 0x231B}, {0x2328, 0x2328},
    {0x2388, 0x2388},    {0x23CF, 0x23CF}, {0x23E9, 0x23F3}, {0x23F8, 0x23FA}, {0x24C2, 0x24C2},
    {0x25A0, 0x27BF},    {0x27F0, 0x27FF}, {0x2900, 0x297F}, {0x2B00, 0x2BFF}, {0x3030, 0x3030},
    {0x303D, 0x303D},    {0x3297, 0x3297}, {0x3299, 0x3299}, {0xE000, 0xF8FF}, {0x1F000, 0x1FFFD},
    {0xF0000, 0x10FFFD},
};

enum tts_char tts_char_class(uint32_t cp)
{
    if (in_ranges(spaces, COUNT(spaces), cp)) {
        return TTS_CHAR_SPACE;
    }
    if (in_ranges(controls, COUNT(controls), cp)) {
        return TTS_CHAR_CONTROL;
    }
    if (cp < 0xA0) {
        return TTS_CHAR_TEXT;
    }
    if (in_ranges(formats, COUNT(formats), cp)) {
        return TTS_CHAR_FORMAT;
    }
    if (in_ranges(pictographs, COUNT(pictographs), cp)) {
        return TTS_CHAR_PICTOGRAPH;
    }
    return TTS_CHAR_TEXT;
}

static const struct range latin[] = {
    {0x41, 0x5A},     {0x61, 0x7A},     {0xAA, 0xAA},     {0xBA, 0xBA},
    {0xC0, 0xD6},     {0xD8, 0xF6},     {0xF8, 0x2AF},    {0x1D00, 0x1D7F},
    {0x1E00, 0x1EFF}, {0x2C60, 0x2C7F}, {0xA720, 0xA7FF}, {0xAB30, 0xAB6F},
    {0xFB00, 0xFB06}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x1D400, 0x1D6A3},
};

static const struct range cyrillic[] = {
    {0x400, 0x482}, {0x48A, 0x52F}, {0x1C80, 0x1C88}, {0xA640, 0xA66E}, {0xA680, 0xA69D},
};

static const struct range greek[] = {
    {0x370, 0x373}, {0x376, 0x377}, {0x37A, 0x37D},   {0x37F, 0x37F},
    {0x386, 0x386}, {0x388, 0x3FF}, {0x1F00, 0x1FFF},
};

/* Letters of the other scripts: Armenian to Mongolian, the Georgian, Ethiopic and Tifinagh
 * supplements, kana, Hangul, CJK, Yi and the syllabaries, presentation forms, historic scripts. */
static const struct range other_letters[] = {
    {0x531, 0x587},     {0x5D0, 0x5F2},     {0x620, 0x64A},   {0x66E, 0x6D5},   {0x6EE, 0x6FF},
    {0x710, 0x7EA},     {0x800, 0x8FF},     {0x900, 0xDFF},   {0xE00, 0xEFF},   {0xF00, 0x109F},
    {0x10A0, 0x10FF},   {0x1100, 0x167F},   {0x1681, 0x169A}, {0x16A0, 0x18AF}, {0x1900, 0x1AAF},
    {0x1B00, 0x1C7F},   {0x2D00, 0x2DDF},   {0x3041, 0x3096}, {0x309D, 0x30FA}, {0x30FC, 0x30FF},
    {0x3105, 0x318E},   {0x31A0, 0x31BF},   {0x31F0, 0x31FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
    {0xA000, 0xA4FF},   {0xA500, 0xA63F},   {0xA6A0, 0xA6FF}, {0xA800, 0xAB2F}, {0xAB70, 0xABFF},
    {0xAC00, 0xD7FF},   {0xF900, 0xFAFF},   {0xFB1D, 0xFDFF}, {0xFE70, 0xFEFC}, {0xFF66, 0xFFDC},
    {0x10000, 0x1CFFF}, {0x20000, 0x3134F},
};

static arvis_script script_of(uint32_t cp)
{
    if (cp < 0x80) {
        bool letter = (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
        return letter ? ARVIS_SCRIPT_LATIN : ARVIS_SCRIPT_NONE;
    }
    if (in_ranges(latin, COUNT(latin), cp)) {
        return ARVIS_SCRIPT_LATIN;
    }
    if (in_ranges(cyrillic, COUNT(cyrillic), cp)) {
        return ARVIS_SCRIPT_CYRILLIC;
    }
    if (in_ranges(greek, COUNT(greek), cp)) {
        return ARVIS_SCRIPT_GREEK;
    }
    if (in_ranges(other_letters, COUNT(other_letters), cp)) {
        return ARVIS_SCRIPT_OTHER;
    }
    return ARVIS_SCRIPT_NONE;
}

bool tts_char_is_word(uint32_t cp)
{
    return (cp >= '0' && cp <= '9') || script_of(cp) != ARVIS_SCRIPT_NONE;
}

uint32_t tts_char_at(const char *s, size_t len, size_t i, size_t *n)
{
    uint32_t cp = 0;
    *n = arvis_utf8_decode(s + i, len - i, &cp);
    if (*n == 0) {
        *n = 1;
        return 0xFFFD;
    }
    return cp;
}

/* The character that ends just before i, or 0 at the start. */
uint32_t tts_char_before(const char *s, size_t i)
{
    if (i == 0) {
        return 0;
    }
    size_t start = i - 1;
    while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80) {
        start--;
    }
    size_t n;
    return tts_char_at(s, i, start, &n);
}

arvis_script arvis_tts_text_script(const char *text, size_t len)
{
    size_t count[ARVIS_SCRIPT_OTHER + 1] = {0};
    size_t i = 0;
    while (text && i < len) {
        uint32_t cp = 0;
        size_t n = arvis_utf8_decode(text + i, len - i, &cp);
        if (n == 0) {
            i++;
            continue;
        }
        count[script_of(cp)]++;
        i += n;
    }
    /* A tie goes to the script listed first (Latin, then Cyrillic, Greek, other). */
    arvis_script best = ARVIS_SCRIPT_NONE;
    size_t most = 0;
    for (int s = ARVIS_SCRIPT_LATIN; s <= ARVIS_SCRIPT_OTHER; s++) {
        if (count[s] > most) {
            best = (arvis_script)s;
            most = count[s];
        }
    }
    return best;
}

const char *arvis_script_name(arvis_script s)
{
    switch (s) {
    case ARVIS_SCRIPT_NONE:
        return "none";
    case ARVIS_SCRIPT_LATIN:
        return "Latin";
    case ARVIS_SCRIPT_CYRILLIC:
        return "Cyrillic";
    case ARVIS_SCRIPT_GREEK:
        return "Greek";
    case ARVIS_SCRIPT_OTHER:
        return "other";
    }
    return "unknown";
}
