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

int llm_stream_post(struct llm_ctx *ctx, struct llm_streamer *s, const char *path,
                    const char *body, const char *accept, const char *bearer, arvis_error *err)
{
    char *url = llm_url(ctx->base_url, path);
    if (!url) {
        return arvis_error_set(err, ARVIS_E_NOMEM, "out of memory");
    }
    llm_lines_init(&s->lines, ctx->max_line);
    arvis_buf_init(&s->clean, ctx->max_line * 3 + 16);
    arvis_buf_init(&s->text, ctx->max_line);
    arvis_error_clear(&s->err);
    s->done = false;
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
        rc = llm_lines_finish(&s->lines, on_line, s);
    }
    if (rc == ARVIS_OK && ok_status && s->finish) {
        rc = s->finish(s);
    }
    const char *who = s->ops->server;
    if (s->err.code != ARVIS_OK && rc == s->err.code && rc != ARVIS_E_CANCELLED) {
        rc = arvis_error_set(err, rc, "%s at %s: %s", who, ctx->base_url, s->err.msg);
    } else if (rc != ARVIS_OK || !ok_status) {
        rc = llm_explain(ctx, s->ops, rc, &res, &why, err);
    } else if (!s->done) {
        rc = arvis_error_set(err, ARVIS_E_PROTOCOL,
                             "%s at %s ended the answer without saying it was complete", who,
                             ctx->base_url);
    }
    arvis_http_result_free(&res);
    llm_lines_free(&s->lines);
    arvis_buf_free(&s->clean);
    arvis_buf_free(&s->text);
    free(url);
    return rc;
}
