/* The speech queue: sentences wait in a bounded queue, a synthesis thread turns each into audio
 * for the playback queue while the answer is still being written, and marks in the playback
 * queue tell which sentences have really been spoken. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arvis/buf.h"
#include "arvis/clock.h"
#include "arvis/log.h"
#include "arvis/utf8.h"
#include "tts_internal.h"

enum {
    SPOKEN_MAX = 16 << 20, /* the spoken text of one answer, at most */
};

struct pending {
    uint64_t tag;
    char *text;
    struct pending *next;
};

struct arvis_speech {
    arvis_tts *tts;
    arvis_playback *pb;
    arvis_playback_cb user_cb;
    void *user_ud;
    pthread_t thread;

    pthread_mutex_t mu; /* everything below, up to push_mu */
    pthread_cond_t changed;
    char **queue; /* sentences waiting for synthesis, a ring */
    size_t cap, head, count;
    bool quit;
    bool busy;                    /* the thread is speaking a sentence */
    struct pending *first, *last; /* sentences in the playback queue, waiting for their mark */
    uint64_t next_tag;
    arvis_buf spoken;
    uint64_t first_said_ns, first_audio_ns;
    arvis_speech_stats st;
    bool cancelled; /* this answer was stopped: nothing more until a reset */
    int error;      /* the first synthesis error of this answer */
    arvis_error err;

    pthread_mutex_t push_mu; /* a push and the check of gen before it happen together */
    atomic_uint gen;         /* a cancel moves it on: audio of an older generation is dropped */

    arvis_tts_text *cleaner; /* the thread's own; made again after a cancel */
    unsigned cleaner_gen;
    arvis_tts_text_options text_opts;

    enum { MODE_REALTIME, MODE_SENTENCE, MODE_COMPLETE } mode; /* tts.mode */
    arvis_buf held; /* text waiting for the rest of its sentence or of the answer (mu) */
};

/* ---- Playback events: what was spoken, and when the first audio came ---- */

static void spoken_up_to(arvis_speech *sp, uint64_t tag);

static void playback_event(const arvis_playback_event *ev, void *ud)
{
    arvis_speech *sp = ud;
    pthread_mutex_lock(&sp->mu);
    if (ev->kind == ARVIS_PLAYBACK_STARTED && sp->first_said_ns && !sp->first_audio_ns) {
        sp->first_audio_ns = arvis_clock_ns();
    } else if (ev->kind == ARVIS_PLAYBACK_MARK) {
        spoken_up_to(sp, ev->tag);
    }
    pthread_mutex_unlock(&sp->mu);
    if (sp->user_cb) {
        sp->user_cb(ev, sp->user_ud);
    }
}

/* Playback reached the mark tag: its sentence has been spoken. Entries before it whose mark
 * went with a stop are dropped. With mu held. */
static void spoken_up_to(arvis_speech *sp, uint64_t tag)
{
    while (sp->first && sp->first->tag < tag) {
        struct pending *stale = sp->first;
        sp->first = stale->next;
        free(stale->text);
        free(stale);
    }
    if (!sp->first) {
        sp->last = NULL;
    }
    if (sp->first && sp->first->tag == tag) {
        struct pending *p = sp->first;
        sp->first = p->next;
        if (!sp->first) {
            sp->last = NULL;
        }
        if ((sp->spoken.len && arvis_buf_addc(&sp->spoken, ' ') != ARVIS_OK) ||
            arvis_buf_adds(&sp->spoken, p->text) != ARVIS_OK) {
            arvis_log(ARVIS_LOG_WARNING, "tts", "the spoken text is too long to keep in full");
        }
        sp->st.spoken++;
        free(p->text);
        free(p);
    }
}

static void drop_pending(arvis_speech *sp)
{
    while (sp->first) {
        struct pending *p = sp->first;
        sp->first = p->next;
        free(p->text);
        free(p);
    }
    sp->last = NULL;
}

/* ---- The synthesis thread ---- */

struct push_ctx {
    arvis_speech *sp;
    unsigned gen;
    uint64_t samples;
    int rate;
    uint64_t waited_ns; /* time spent waiting for room in the playback queue */
};

static bool push_cb(const int16_t *pcm, size_t n, int rate, void *ud)
{
    struct push_ctx *c = ud;
    arvis_speech *sp = c->sp;
    pthread_mutex_lock(&sp->push_mu);
    bool ok = atomic_load(&sp->gen) == c->gen;
    if (ok) {
        uint64_t t0 = arvis_clock_ns();
        ok = arvis_playback_push(sp->pb, pcm, n, rate, NULL) == ARVIS_OK;
        c->waited_ns += arvis_clock_ns() - t0;
    }
    pthread_mutex_unlock(&sp->push_mu);
    if (ok) {
        c->samples += n;
        c->rate = rate;
    }
    return ok;
}

static void note_error(arvis_speech *sp, int rc, const arvis_error *err)
{
    pthread_mutex_lock(&sp->mu);
    if (!sp->error) {
        sp->error = rc;
        sp->err = *err;
    }
    pthread_mutex_unlock(&sp->mu);
    arvis_log(ARVIS_LOG_DEBUG, "tts", "%s", err->msg); /* the caller reports it at the finish */
}

/* After the audio of a sentence: a mark, so that playback says when it has been spoken. */
static void mark_spoken(arvis_speech *sp, unsigned gen, char *text)
{
    struct pending *p = calloc(1, sizeof *p);
    if (!p) {
        free(text);
        return;
    }
    p->text = text;
    pthread_mutex_lock(&sp->push_mu);
    /* A cancel moves gen on with mu held: checked under mu, no entry of an old answer can be
     * added after the cancel dropped the list. */
    pthread_mutex_lock(&sp->mu);
    bool current = atomic_load(&sp->gen) == gen && !sp->cancelled;
    uint64_t tag = 0;
    if (current) {
        p->tag = tag = ++sp->next_tag;
        if (sp->last) {
            sp->last->next = p;
        } else {
            sp->first = p;
        }
        sp->last = p;
    }
    pthread_mutex_unlock(&sp->mu);
    if (current) {
        arvis_playback_mark(sp->pb, tag);
    } else {
        free(text);
        free(p);
    }
    pthread_mutex_unlock(&sp->push_mu);
}

static void speak_one(arvis_speech *sp, char *text, unsigned gen)
{
    if (gen != sp->cleaner_gen || !sp->cleaner) {
        arvis_tts_text_destroy(sp->cleaner);
        sp->cleaner = NULL;
        arvis_tts_text_create(&sp->text_opts, &sp->cleaner);
        sp->cleaner_gen = gen;
    }
    char *clean = NULL;
    if (!sp->cleaner || arvis_tts_text_feed(sp->cleaner, text, strlen(text), &clean) != ARVIS_OK) {
        arvis_error e;
        arvis_error_set(&e, ARVIS_E_NOMEM, "out of memory preparing text for speech");
        note_error(sp, ARVIS_E_NOMEM, &e);
        free(text);
        return;
    }
    struct push_ctx c = {.sp = sp, .gen = gen};
    arvis_error err;
    uint64_t t0 = arvis_clock_ns();
    int rc = clean[0] ? arvis_tts_synth(sp->tts, clean, push_cb, &c, &err) : ARVIS_OK;
    double ms = arvis_clock_elapsed_ms(t0 + c.waited_ns, arvis_clock_ns());
    pthread_mutex_lock(&sp->mu);
    sp->st.synth_ms += ms;
    sp->st.audio_ms += c.rate ? 1000.0 * (double)c.samples / c.rate : 0;
    sp->st.chars += arvis_utf8_length(clean, strlen(clean));
    pthread_mutex_unlock(&sp->mu);
    free(clean);
    if (rc == ARVIS_OK) {
        mark_spoken(sp, gen, text);
        return;
    }
    if (rc != ARVIS_E_CANCELLED) {
        note_error(sp, rc, &err);
    }
    free(text);
}

static void *synth_thread(void *arg)
{
    arvis_speech *sp = arg;
    pthread_mutex_lock(&sp->mu);
    for (;;) {
        while (!sp->quit && sp->count == 0) {
            pthread_cond_wait(&sp->changed, &sp->mu);
        }
        if (sp->quit) {
            break;
        }
        char *text = sp->queue[sp->head];
        sp->head = (sp->head + 1) % sp->cap;
        sp->count--;
        sp->busy = true;
        unsigned gen = atomic_load(&sp->gen);
        pthread_cond_broadcast(&sp->changed);
        pthread_mutex_unlock(&sp->mu);
        speak_one(sp, text, gen);
        pthread_mutex_lock(&sp->mu);
        sp->busy = false;
        pthread_cond_broadcast(&sp->changed);
    }
    pthread_mutex_unlock(&sp->mu);
    return NULL;
}

/* ---- The queue's interface ---- */

static arvis_tts_text_options text_options(const arvis_config *cfg)
{
    arvis_tts_text_options o = arvis_tts_text_default_options();
    o.strip_markdown = arvis_config_bool(cfg, "tts.text.strip_markdown");
    o.url_word = arvis_config_string(cfg, "tts.text.url_word");
    o.code_block_text = arvis_config_string(cfg, "tts.text.code_block_text");
    return o;
}

int arvis_speech_create(arvis_tts *tts, const arvis_playback_options *po, const arvis_config *cfg,
                        arvis_speech **out, arvis_error *err)
{
    *out = NULL;
    arvis_speech *sp = calloc(1, sizeof *sp);
    size_t cap = (size_t)arvis_config_int(cfg, "tts.max_queue");
    if (!sp || !(sp->queue = calloc(cap, sizeof *sp->queue))) {
        free(sp);
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory starting speech");
    }
    sp->cap = cap;
    sp->tts = tts;
    sp->user_cb = po->cb;
    sp->user_ud = po->ud;
    sp->text_opts = text_options(cfg);
    const char *mode = arvis_config_string(cfg, "tts.mode");
    sp->mode = strcmp(mode, "after_complete") == 0         ? MODE_COMPLETE
               : strcmp(mode, "sentence_by_sentence") == 0 ? MODE_SENTENCE
                                                           : MODE_REALTIME;
    arvis_buf_init(&sp->spoken, SPOKEN_MAX);
    arvis_buf_init(&sp->held, SPOKEN_MAX);
    pthread_mutex_init(&sp->mu, NULL);
    pthread_mutex_init(&sp->push_mu, NULL);
    pthread_cond_init(&sp->changed, NULL);
    atomic_init(&sp->gen, 0);
    arvis_playback_options o = *po;
    o.cb = playback_event;
    o.ud = sp;
    int rc = arvis_playback_create(&o, &sp->pb, err);
    if (rc == ARVIS_OK && pthread_create(&sp->thread, NULL, synth_thread, sp) != 0) {
        rc = arvis_error_set(err, ARVIS_E_NOMEM, "cannot start the synthesis thread");
        arvis_playback_abort(sp->pb);
    }
    if (rc != ARVIS_OK) {
        pthread_cond_destroy(&sp->changed);
        pthread_mutex_destroy(&sp->push_mu);
        pthread_mutex_destroy(&sp->mu);
        arvis_buf_free(&sp->spoken);
        arvis_buf_free(&sp->held);
        free(sp->queue);
        free(sp);
        return rc;
    }
    *out = sp;
    return ARVIS_OK;
}

arvis_playback *arvis_speech_playback(arvis_speech *sp)
{
    return sp->pb;
}

static void clear_queue(arvis_speech *sp)
{
    for (; sp->count; sp->count--) {
        free(sp->queue[sp->head]);
        sp->head = (sp->head + 1) % sp->cap;
    }
}

int arvis_speech_destroy(arvis_speech *sp, bool keep, arvis_error *err)
{
    if (!sp) {
        return ARVIS_OK;
    }
    arvis_speech_cancel(sp);
    pthread_mutex_lock(&sp->mu);
    sp->quit = true;
    pthread_cond_broadcast(&sp->changed);
    pthread_mutex_unlock(&sp->mu);
    pthread_join(sp->thread, NULL);
    int rc = ARVIS_OK;
    if (keep) {
        rc = arvis_playback_destroy(sp->pb, err);
    } else {
        arvis_playback_abort(sp->pb);
    }
    clear_queue(sp);
    drop_pending(sp);
    arvis_tts_text_destroy(sp->cleaner);
    arvis_buf_free(&sp->spoken);
    arvis_buf_free(&sp->held);
    pthread_cond_destroy(&sp->changed);
    pthread_mutex_destroy(&sp->push_mu);
    pthread_mutex_destroy(&sp->mu);
    free(sp->queue);
    free(sp);
    return rc;
}

int arvis_speech_say(arvis_speech *sp, const char *text, size_t len)
{
    char *copy = strndup(text, len);
    if (!copy) {
        return ARVIS_E_NOMEM;
    }
    pthread_mutex_lock(&sp->mu);
    unsigned gen = atomic_load(&sp->gen);
    while (sp->count == sp->cap && !sp->quit && atomic_load(&sp->gen) == gen) {
        pthread_cond_wait(&sp->changed, &sp->mu);
    }
    int rc = ARVIS_OK;
    if (sp->quit || sp->cancelled || atomic_load(&sp->gen) != gen) {
        rc = ARVIS_E_CANCELLED;
        free(copy);
    } else {
        sp->queue[(sp->head + sp->count) % sp->cap] = copy;
        sp->count++;
        sp->st.sentences++;
        if (!sp->first_said_ns) {
            sp->first_said_ns = arvis_clock_ns();
        }
        pthread_cond_broadcast(&sp->changed);
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* Takes the held text, if any (the caller frees). */
static char *take_held(arvis_speech *sp)
{
    pthread_mutex_lock(&sp->mu);
    char *text = sp->held.len ? arvis_buf_take(&sp->held) : NULL;
    pthread_mutex_unlock(&sp->mu);
    return text;
}

int arvis_speech_add(arvis_speech *sp, const char *text, size_t len, bool early)
{
    if (sp->mode == MODE_REALTIME) {
        return arvis_speech_say(sp, text, len);
    }
    pthread_mutex_lock(&sp->mu);
    int rc = sp->cancelled ? ARVIS_E_CANCELLED : ARVIS_OK;
    if (rc == ARVIS_OK && sp->held.len) {
        rc = arvis_buf_addc(&sp->held, ' ');
    }
    if (rc == ARVIS_OK) {
        rc = arvis_buf_add(&sp->held, text, len);
    }
    pthread_mutex_unlock(&sp->mu);
    if (rc != ARVIS_OK || sp->mode == MODE_COMPLETE || early) {
        return rc;
    }
    char *whole = take_held(sp);
    rc = whole ? arvis_speech_say(sp, whole, strlen(whole)) : ARVIS_OK;
    free(whole);
    return rc;
}

int arvis_speech_finish(arvis_speech *sp, arvis_error *err)
{
    unsigned gen = atomic_load(&sp->gen);
    char *held = take_held(sp);
    if (held) {
        arvis_speech_say(sp, held, strlen(held));
        free(held);
    }
    pthread_mutex_lock(&sp->mu);
    while ((sp->count || sp->busy) && !sp->cancelled && atomic_load(&sp->gen) == gen) {
        pthread_cond_wait(&sp->changed, &sp->mu);
    }
    bool stopped = sp->cancelled;
    pthread_mutex_unlock(&sp->mu);
    int rc = ARVIS_OK;
    if (!stopped && atomic_load(&sp->gen) == gen) {
        arvis_playback_finish(sp->pb);
        rc = arvis_playback_wait(sp->pb, err);
    }
    pthread_mutex_lock(&sp->mu);
    if (sp->cancelled || atomic_load(&sp->gen) != gen) {
        pthread_mutex_unlock(&sp->mu);
        return arvis_error_set(err, ARVIS_E_CANCELLED, "speaking was stopped");
    }
    if (rc == ARVIS_OK && sp->error) {
        rc = sp->error;
        if (err) {
            *err = sp->err;
        }
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

void arvis_speech_cancel(arvis_speech *sp)
{
    pthread_mutex_lock(&sp->mu);
    atomic_fetch_add(&sp->gen, 1);
    sp->cancelled = true;
    clear_queue(sp);
    drop_pending(sp);
    arvis_buf_reset(&sp->held);
    pthread_cond_broadcast(&sp->changed);
    pthread_mutex_unlock(&sp->mu);
    arvis_tts_cancel(sp->tts); /* the engine stops at its next chunk or piece */
    /* The first stop frees a push waiting for room; once push_mu is ours no push of the old
     * generation is under way, and the second stop drops what one may have added meanwhile. */
    arvis_playback_stop(sp->pb);
    pthread_mutex_lock(&sp->push_mu);
    arvis_playback_stop(sp->pb);
    pthread_mutex_unlock(&sp->push_mu);
}

char *arvis_speech_spoken(arvis_speech *sp)
{
    pthread_mutex_lock(&sp->mu);
    char *text = strndup(sp->spoken.data ? sp->spoken.data : "", sp->spoken.len);
    pthread_mutex_unlock(&sp->mu);
    return text;
}

void arvis_speech_get_stats(arvis_speech *sp, arvis_speech_stats *st)
{
    pthread_mutex_lock(&sp->mu);
    *st = sp->st;
    st->first_audio_ms =
        sp->first_audio_ns ? arvis_clock_elapsed_ms(sp->first_said_ns, sp->first_audio_ns) : -1;
    st->rtf = st->audio_ms > 0 ? st->synth_ms / st->audio_ms : -1;
    pthread_mutex_unlock(&sp->mu);
}

void arvis_speech_reset(arvis_speech *sp)
{
    pthread_mutex_lock(&sp->mu);
    atomic_fetch_add(&sp->gen, 1); /* a new answer: the text cleaner starts afresh */
    arvis_buf_reset(&sp->spoken);
    memset(&sp->st, 0, sizeof sp->st);
    sp->first_said_ns = sp->first_audio_ns = 0;
    sp->error = 0;
    sp->cancelled = false;
    drop_pending(sp);
    arvis_buf_reset(&sp->held);
    arvis_error_clear(&sp->err);
    pthread_mutex_unlock(&sp->mu);
}
