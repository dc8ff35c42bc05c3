/* One streamed chat request, shared by the providers: the POST, bytes into lines whatever the
 * chunking, invalid UTF-8 replaced before anything reads it, and every way it can end turned
 * into one status and one sentence. */
#include <stdlib.h>

#include "arvis/utf8.h"
#include "llm_internal.h"

enum { PREVIEW_MAX = 60 };

int llm_streamer_text(struct llm_streamer *s, const char *text, size_t len)
{
    if (len == 0) {
        return ARVIS_OK;
    }
    int rc = s->sink->text(text, len, s->sink->ud);
    return rc == ARVIS_OK ? rc : arvis_error_set(&s->err, rc, "stopped");
}

int llm_streamer_not_json(struct llm_streamer *s, const char *line, size_t len)
{
    size_t show = arvis_utf8_truncate(line, len, PREVIEW_MAX);
    return arvis_error_set(&s->err, ARVIS_E_PROTOCOL,
                           "the server sent something that is not JSON: \"%.*s%s\"", (int)show,
                           line, show < len ? "..." : "");
}

static int on_line(const char *line, size_t len, void *ud)
{
    struct llm_streamer *s = ud;
    if (!arvis_utf8_valid(line, len, NULL)) {
        /* Bad bytes from the server are replaced, never passed on. */
        arvis_buf_reset(&s->clean);
        if (arvis_utf8_sanitize(line, len, &s->clean) < 0) {
            return arvis_error_set(&s->err, ARVIS_E_NOMEM, "out of memory");
        }
        line = s->clean.data;
        len = s->clean.len;
    }
    return s->line(line, len, s);
}

static int on_data(const char *data, size_t len, void *ud)
{
    struct llm_streamer *s = ud;
    int rc = llm_lines_feed(&s->lines, data, len, on_line, s);
    if (rc == ARVIS_E_TOOBIG && s->err.code == ARVIS_OK) {
        arvis_error_set(&s->err, rc, "it sent a line longer than %zu bytes (llm.max_line_bytes)",
                        s->lines.partial.max);
    }
    return rc;
}

static void streamer_begin(struct llm_streamer *s, size_t max_line)
{
    llm_lines_init(&s->lines, max_line);
    arvis_buf_init(&s->clean, max_line * 3 + 16);
    arvis_buf_init(&s->text, max_line);
    arvis_error_clear(&s->err);
    s->done = false;
}

static void streamer_end(struct llm_streamer *s)
{
    llm_lines_free(&s->lines);
    arvis_buf_free(&s->clean);
    arvis_buf_free(&s->text);
}

/* The end of a whole 2xx body: the last line, the provider's own ending. */
static int streamer_finish(struct llm_streamer *s)
{
    int rc = llm_lines_finish(&s->lines, on_line, s);
    if (rc == ARVIS_OK && s->finish) {
        rc = s->finish(s);
    }
    return rc;
}

/* A stream the streamer stopped, or one that ended without saying it was complete. */
static int stream_error(struct llm_ctx *ctx, struct llm_streamer *s, int rc, arvis_error *err)
{
    if (s->err.code != ARVIS_OK && rc == s->err.code && rc != ARVIS_E_CANCELLED) {
        return arvis_error_set(err, rc, "%s at %s: %s", s->ops->server, ctx->base_url, s->err.msg);
    }
    if (rc == ARVIS_OK && !s->done) {
        return arvis_error_set(err, ARVIS_E_PROTOCOL,
                               "%s at %s ended the answer without saying it was complete",
                               s->ops->server, ctx->base_url);
    }
    return rc;
}

int llm_stream_replay(struct llm_ctx *ctx, struct llm_streamer *s, const char *data, size_t len,
                      size_t piece, arvis_error *err)
{
    streamer_begin(s, ctx->max_line);
    piece = piece ? piece : (len ? len : 1); /* 0: the whole body at once */
    int rc = ARVIS_OK;
    for (size_t at = 0; rc == ARVIS_OK && at < len; at += piece) {
        rc = on_data(data + at, len - at < piece ? len - at : piece, s);
    }
    if (rc == ARVIS_OK) {
        rc = streamer_finish(s);
    }
    rc = stream_error(ctx, s, rc, err);
    streamer_end(s);
    return rc;
}

int llm_stream_post(struct llm_ctx *ctx, struct llm_streamer *s, const char *path, const char *body,
                    const char *accept, const char *bearer, arvis_error *err)
{
    char *url = llm_url(ctx->base_url, path);
    if (!url) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    streamer_begin(s, ctx->max_line);
    arvis_http_request hreq;
    llm_http_request(ctx, &hreq, "POST", url, body, accept);
    hreq.bearer = bearer;
    hreq.data_cb = on_data;
    hreq.ud = s;
    arvis_http_result res;
    arvis_error why;
    arvis_error_clear(&why);
    int rc = arvis_http_perform(ctx->http, &hreq, ctx->cancel, &res, &why);
    s->out->received = res.received;
    bool ok_status = res.status >= 200 && res.status < 300;
    if (rc == ARVIS_OK && ok_status) {
        rc = streamer_finish(s);
    }
    bool stopped = s->err.code != ARVIS_OK && rc == s->err.code && rc != ARVIS_E_CANCELLED;
    if (stopped || (rc == ARVIS_OK && ok_status)) {
        rc = stream_error(ctx, s, rc, err);
    } else {
        rc = llm_explain(ctx, s->ops, rc, &res, &why, err);
    }
    arvis_http_result_free(&res);
    streamer_end(s);
    free(url);
    return rc;
}
