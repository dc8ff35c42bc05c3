/* Names of notification levels and channels, and the manager's parameters: the schema's
 * defaults, or the notifications section of a configuration. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arvis/log.h"
#include "notify_internal.h"

static const char *const level_names[ARVIS_NOTIFY_LEVELS] = {"debug", "info", "warning", "error",
                                                             "critical"};
static const char *const channel_names[ARVIS_NOTIFY_CHANNELS] = {"ui",  "tts",   "audio",
                                                                 "log", "audit", "desktop"};

const char *arvis_notify_level_name(arvis_notify_level level)
{
    return (unsigned)level < ARVIS_NOTIFY_LEVELS ? level_names[level] : "unknown";
}

const char *arvis_notify_channel_name(arvis_notify_channel ch)
{
    return (unsigned)ch < ARVIS_NOTIFY_CHANNELS ? channel_names[ch] : "unknown";
}

const char *arvis_notify_level_list(void)
{
    return "debug, info, warning, error, critical";
}

int arvis_notify_level_parse(const char *name, arvis_notify_level *out)
{
    for (int i = 0; name && i < ARVIS_NOTIFY_LEVELS; i++) {
        if (strcasecmp(name, level_names[i]) == 0) {
            *out = (arvis_notify_level)i;
            return ARVIS_OK;
        }
    }
    return ARVIS_E_INVAL;
}

arvis_notify_params arvis_notify_default_params(void)
{
    /* The same values as data/config.schema.json's notifications section. */
    static const arvis_notify_level min[ARVIS_NOTIFY_CHANNELS] = {
        ARVIS_NOTIFY_INFO,  ARVIS_NOTIFY_ERROR,   ARVIS_NOTIFY_WARNING,
        ARVIS_NOTIFY_DEBUG, ARVIS_NOTIFY_WARNING, ARVIS_NOTIFY_ERROR};
    arvis_notify_params p = {
        .enabled = true, .rate_limit_per_minute = 60, .merge_window_sec = 60, .history_max = 1000};
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        p.channels[i].enabled = true;
        p.channels[i].min_level = min[i];
    }
    return p;
}

void arvis_notify_params_from_config(const arvis_config *cfg, arvis_notify_params *p)
{
    p->enabled = arvis_config_bool(cfg, "notifications.enabled");
    p->rate_limit_per_minute =
        (unsigned)arvis_config_int(cfg, "notifications.rate_limit_per_minute");
    p->merge_window_sec = (unsigned)arvis_config_int(cfg, "notifications.merge_window_sec");
    p->history_max = (size_t)arvis_config_int(cfg, "notifications.history_max");
    for (int i = 0; i < ARVIS_NOTIFY_CHANNELS; i++) {
        char key[96];
        snprintf(key, sizeof key, "notifications.channels.%s.enabled", channel_names[i]);
        p->channels[i].enabled = arvis_config_bool(cfg, key);
        snprintf(key, sizeof key, "notifications.channels.%s.min_level", channel_names[i]);
        if (arvis_notify_level_parse(arvis_config_string(cfg, key), &p->channels[i].min_level) !=
            ARVIS_OK) {
            /* The schema allows only the level names, so this is a programming error. */
            arvis_log(ARVIS_LOG_ERROR, "notify", "%s is not a level", key);
        }
    }
}
