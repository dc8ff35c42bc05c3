/* The "file" source: a recording read through libsndfile (WAV, FLAC, OGG...; any depth, rate and
 * channels) in bounded chunks, with a sentence for each way a file can fail to be sound. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio_internal.h"

enum {
    SNIFF_BYTES = 512,     /* what is looked at to tell text from sound */
    RIFF_HEADER = 12,      /* "RIFF", size, "WAVE" */
    CHUNK_HEADER = 8,      /* id, size */
    RIFF_CHUNKS_MAX = 256, /* chunks walked before "data", so a hostile file cannot loop */
    DETAIL_MAX = 256,
    /* Samples decoded at once: libsndfile hands over float samples unscaled when asked for
     * integers, so every format is read as float and scaled here. */
    FLOAT_BLOCK = 4096,
};

static const float FULL_SCALE = 32768.0f;

/* A streaming writer that could not go back to fill in the length leaves this. */
static const uint32_t WAV_LENGTH_UNKNOWN = 0xFFFFFFFFu;

static const char WHAT_TO_GIVE[] = "give a WAV, FLAC or OGG recording";

struct file_source {
    SNDFILE *snd;
    int fd;
    char *path;
    int64_t announced; /* frames the header promises, -1 when it does not say */
    int64_t delivered;
    int channels;
    float block[FLOAT_BLOCK];
    bool ended;
    bool failed; /* a read stopped on an error: what came before was delivered */
};

static int cannot_open(const char *path, int errnum, arvis_error *err)
{
    if (errnum == ENOENT || errnum == ENOTDIR) {
        return arvis_error_set(err, ARVIS_E_NOTFOUND, "cannot read %s: %s: check the path", path,
                               strerror(errnum));
    }
    if (errnum == EACCES || errnum == EPERM) {
        return arvis_error_set(err, ARVIS_E_PERM,
                               "cannot read %s: %s: make it readable (chmod +r) or give another "
                               "file",
                               path, strerror(errnum));
    }
    return arvis_error_set(err, arvis_status_from_errno(errnum), "cannot read %s: %s: %s", path,
                           strerror(errnum), WHAT_TO_GIVE);
}

/* Text is what people most often give by mistake (a transcript, an HTML error page saved as
 * .wav). Every sound format starts with binary bytes, so a start of printable characters,
 * whitespace and UTF-8 is text. */
static bool looks_like_text(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        bool space = b[i] == '\t' || b[i] == '\n' || b[i] == '\r' || b[i] == '\f';
        bool printable = b[i] >= ' ' && b[i] != 0x7f;
        if (!space && !printable) {
            return false;
        }
    }
    return n > 0;
}

/* What the file is when it is not a regular file of sound bytes; ARVIS_OK when it may be. */
static int check_kind(int fd, const char *path, arvis_error *err)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return cannot_open(path, errno, err);
    }
    if (S_ISDIR(st.st_mode)) {
        return arvis_error_set(err, ARVIS_E_INVAL, "%s is a folder, not a sound file: %s", path,
                               WHAT_TO_GIVE);
    }
    if (!S_ISREG(st.st_mode)) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "%s is a device or pipe, not a sound file: %s (the stdin source "
                               "reads raw audio from a pipe)",
                               path, WHAT_TO_GIVE);
    }
    if (st.st_size == 0) {
        return arvis_error_set(err, ARVIS_E_PARSE, "%s is empty, not a sound file: %s", path,
                               WHAT_TO_GIVE);
    }
    unsigned char head[SNIFF_BYTES];
    ssize_t n = pread(fd, head, sizeof head, 0);
    if (n < 0) {
        return cannot_open(path, errno, err);
    }
    if (looks_like_text(head, (size_t)n)) {
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "%s is not a sound file (it looks like text): %s", path,
                               WHAT_TO_GIVE);
    }
    return ARVIS_OK;
}

static uint32_t le32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The length of the data chunk as a WAV header states it. libsndfile trims a length beyond the
 * end of the file to what is there, so a cut-off file is only seen by reading the header. */
static bool wav_data_bytes(int fd, uint32_t *bytes)
{
    unsigned char b[RIFF_HEADER];
    if (pread(fd, b, RIFF_HEADER, 0) != RIFF_HEADER || memcmp(b, "RIFF", 4) != 0 ||
        memcmp(b + 8, "WAVE", 4) != 0) {
        return false;
    }
    off_t at = RIFF_HEADER;
    for (int i = 0; i < RIFF_CHUNKS_MAX; i++) {
        if (pread(fd, b, CHUNK_HEADER, at) != CHUNK_HEADER) {
            return false;
        }
        uint32_t size = le32(b + 4);
        if (memcmp(b, "data", 4) == 0) {
            *bytes = size;
            return true;
        }
        at += CHUNK_HEADER + (off_t)size + (off_t)(size & 1); /* chunks are padded to even */
    }
    return false;
}

/* Bytes of one sample for the plain encodings, 0 for compressed ones. */
static int sample_bytes(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
    case SF_FORMAT_ULAW:
    case SF_FORMAT_ALAW:
        return 1;
    case SF_FORMAT_PCM_16:
        return 2;
    case SF_FORMAT_PCM_24:
        return 3;
    case SF_FORMAT_PCM_32:
    case SF_FORMAT_FLOAT:
        return 4;
    case SF_FORMAT_DOUBLE:
        return 8;
    default:
        return 0;
    }
}

/* Frames the header promises: for WAV its data length (which may run past the end of a cut
 * file), else what libsndfile found. */
static int64_t announced_frames(int fd, const SF_INFO *sfi)
{
    int major = sfi->format & SF_FORMAT_TYPEMASK;
    int per_frame = sample_bytes(sfi->format) * sfi->channels;
    uint32_t bytes = 0;
    if ((major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX) && per_frame > 0 &&
        wav_data_bytes(fd, &bytes) && bytes != WAV_LENGTH_UNKNOWN && bytes != 0) {
        return (int64_t)(bytes / (uint32_t)per_frame);
    }
    return sfi->frames >= 0 && sfi->frames < SF_COUNT_MAX ? (int64_t)sfi->frames : -1;
}

static const struct {
    int major;
    const char *name;
} MAJORS[] = {
    {SF_FORMAT_WAV, "WAV"},   {SF_FORMAT_WAVEX, "WAV"}, {SF_FORMAT_FLAC, "FLAC"},
    {SF_FORMAT_OGG, "OGG"},   {SF_FORMAT_AIFF, "AIFF"}, {SF_FORMAT_W64, "W64"},
    {SF_FORMAT_RF64, "RF64"}, {SF_FORMAT_CAF, "CAF"},   {SF_FORMAT_AU, "AU"},
};

static const int SUBTYPES[] = {
    SF_FORMAT_PCM_S8, SF_FORMAT_PCM_U8, SF_FORMAT_PCM_16, SF_FORMAT_PCM_24,
    SF_FORMAT_PCM_32, SF_FORMAT_FLOAT,  SF_FORMAT_DOUBLE, SF_FORMAT_VORBIS,
    SF_FORMAT_OPUS,   SF_FORMAT_ULAW,   SF_FORMAT_ALAW,
};

#define FORMAT_ROW(m)                                                                              \
    {                                                                                              \
        m " 8-bit", m " 8-bit", m " 16-bit", m " 24-bit", m " 32-bit", m " float", m " double",    \
            m " Vorbis", m " Opus", m " mu-law", m " A-law"                                        \
    }

/* Static names, so arvis_source_info.format needs no owner; rows follow MAJORS. */
static const char *const FORMAT_NAMES[][sizeof SUBTYPES / sizeof SUBTYPES[0]] = {
    FORMAT_ROW("WAV"),  FORMAT_ROW("WAV"),  FORMAT_ROW("FLAC"),
    FORMAT_ROW("OGG"),  FORMAT_ROW("AIFF"), FORMAT_ROW("W64"),
    FORMAT_ROW("RF64"), FORMAT_ROW("CAF"),  FORMAT_ROW("AU"),
};

static const char *format_name(int format)
{
    for (size_t m = 0; m < sizeof MAJORS / sizeof MAJORS[0]; m++) {
        if (MAJORS[m].major != (format & SF_FORMAT_TYPEMASK)) {
            continue;
        }
        for (size_t s = 0; s < sizeof SUBTYPES / sizeof SUBTYPES[0]; s++) {
            if (SUBTYPES[s] == (format & SF_FORMAT_SUBMASK)) {
                return FORMAT_NAMES[m][s];
            }
        }
        return MAJORS[m].name;
    }
    return "sound file";
}

/* libsndfile's words ("Format not recognised.") as the detail after a colon, without the dot. */
static void detail(char *out, size_t size, const char *text)
{
    snprintf(out, size, "%s", text ? text : "unknown error");
    size_t len = strlen(out);
    while (len > 0 && (out[len - 1] == '.' || out[len - 1] == ' ')) {
        out[--len] = '\0';
    }
}

static int open_sound(struct file_source *f, SF_INFO *sfi, arvis_error *err)
{
    f->snd = sf_open_fd(f->fd, SFM_READ, sfi, SF_FALSE);
    if (!f->snd) {
        char why[DETAIL_MAX];
        detail(why, sizeof why, sf_strerror(NULL));
        return arvis_error_set(err, ARVIS_E_PARSE, "%s is not a sound file Arvis can read: %s (%s)",
                               f->path, why, WHAT_TO_GIVE);
    }
    if (sfi->channels < 1) {
        return arvis_error_set(err, ARVIS_E_PARSE, "%s says it has %d channels: %s", f->path,
                               sfi->channels, WHAT_TO_GIVE);
    }
    if (sfi->samplerate < AUDIO_RATE_MIN || sfi->samplerate > AUDIO_RATE_MAX) {
        return arvis_error_set(err, ARVIS_E_PARSE,
                               "%s says its rate is %d Hz, outside the %d to %d Hz Arvis reads: "
                               "convert it (sox %s -r 16000 out.wav) or give another recording",
                               f->path, sfi->samplerate, AUDIO_RATE_MIN, AUDIO_RATE_MAX, f->path);
    }
    /* Float samples beyond full scale clip instead of wrapping round to the other sign. */
    sf_command(f->snd, SFC_SET_CLIPPING, NULL, SF_TRUE);
    return ARVIS_OK;
}

static void file_close(void *state)
{
    struct file_source *f = state;
    if (f->snd) {
        sf_close(f->snd);
    }
    if (f->fd >= 0) {
        close(f->fd);
    }
    free(f->path);
    free(f);
}

static int file_open(const arvis_source_options *o, void **state, arvis_source_info *info,
                     arvis_error *err)
{
    if (!o->path || !o->path[0]) {
        return arvis_error_set(err, ARVIS_E_INVAL,
                               "the file source needs a path: give one, as in `arvis listen "
                               "FILE.wav`");
    }
    struct file_source *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(o->path))) {
        free(f);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    /* Non-blocking, so a named pipe given by mistake is refused rather than waited on. */
    f->fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    int rc = f->fd < 0 ? cannot_open(o->path, errno, err) : check_kind(f->fd, o->path, err);
    SF_INFO sfi = {0};
    if (rc == ARVIS_OK) {
        int flags = fcntl(f->fd, F_GETFL);
        (void)fcntl(f->fd, F_SETFL, flags >= 0 ? flags & ~O_NONBLOCK : 0);
        rc = open_sound(f, &sfi, err);
    }
    if (rc != ARVIS_OK) {
        file_close(f);
        return rc;
    }
    f->announced = announced_frames(f->fd, &sfi);
    f->channels = sfi.channels;
    *info = (arvis_source_info){.rate = sfi.samplerate,
                                .channels = sfi.channels,
                                .format = format_name(sfi.format),
                                .frames = f->announced};
    *state = f;
    return ARVIS_OK;
}

/* Float samples as 16-bit, clipped: float files may go beyond full scale, and a 16-bit sample
 * read as float comes back exactly. */
static void to_s16(const float *in, int16_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = in[i] * FULL_SCALE;
        if (isnan(v)) {
            out[i] = 0;
        } else {
            out[i] = v >= INT16_MAX ? INT16_MAX : v <= INT16_MIN ? INT16_MIN : (int16_t)lrintf(v);
        }
    }
}

static int file_read(void *state, int16_t *buf, size_t max, size_t *n, const atomic_bool *cancel,
                     arvis_error *err)
{
    (void)cancel; /* a chunk of a file is read at once */
    (void)err;    /* a file that breaks off is delivered up to there, and called truncated */
    struct file_source *f = state;
    size_t per_block = FLOAT_BLOCK / (size_t)f->channels;
    *n = 0;
    while (!f->ended && *n < max) {
        size_t want = max - *n < per_block ? max - *n : per_block;
        sf_count_t got = sf_readf_float(f->snd, f->block, (sf_count_t)want);
        if (got < (sf_count_t)want && sf_error(f->snd) != SF_ERR_NO_ERROR) {
            f->failed = true;
        }
        if (got <= 0) {
            f->ended = true;
            break;
        }
        to_s16(f->block, buf + *n * (size_t)f->channels, (size_t)got * (size_t)f->channels);
        *n += (size_t)got;
        f->delivered += got;
        if ((size_t)got < want) {
            break; /* the next call sees the end or what else came */
        }
    }
    return ARVIS_OK;
}

static bool file_truncated(const void *state)
{
    const struct file_source *f = state;
    return f->ended && (f->failed || (f->announced >= 0 && f->delivered < f->announced));
}

const struct audio_source_ops audio_source_file_ops = {
    .name = "file",
    .open = file_open,
    .read = file_read,
    .truncated = file_truncated,
    .close = file_close,
};
