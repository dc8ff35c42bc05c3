/* Everything libarvis offers, in one include. Frontends may include the headers they use
 * one by one instead. */
#ifndef ARVIS_ARVIS_H
#define ARVIS_ARVIS_H

#include "arvis/buf.h"
#include "arvis/clock.h"
#include "arvis/config.h"
#include "arvis/error.h"
#include "arvis/file.h"
#include "arvis/health.h"
#include "arvis/json.h"
#include "arvis/http.h"
#include "arvis/llm.h"
#include "arvis/audio.h"
#include "arvis/audit.h"
#include "arvis/tts.h"
#include "arvis/stt.h"
#include "arvis/skills.h"
#include "arvis/sysinfo.h"
#include "arvis/assistant.h"
#include "arvis/log.h"
#include "arvis/metrics.h"
#include "arvis/notify.h"
#include "arvis/paths.h"
#include "arvis/utf8.h"
#include "arvis/version.h"

#endif
