/* arvis-fake-llm: the scripted LLM server as a program, for integration tests and benchmarks.
 * Prints its address on stdout, then serves until SIGTERM, SIGINT or SIGHUP.
 * Usage: arvis-fake-llm [--port N] [--script FILE] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arvis/file.h"
#include "fake_llm.h"

enum { SCRIPT_MAX = 16 * 1024 * 1024 };

int main(int argc, char **argv)
{
    int port = 0;
    char *script = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            port = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--script") == 0 && i + 1 < argc) {
            size_t len = 0;
            if (arvis_file_read(argv[++i], SCRIPT_MAX, &script, &len, NULL) != 0) {
                fprintf(stderr, "arvis-fake-llm: cannot read %s\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: arvis-fake-llm [--port N] [--script FILE]\n");
            return 2;
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* server threads inherit the mask */
    fake_llm *f = fake_llm_start(port, script ? script : "{}");
    free(script);
    if (!f) {
        return 1;
    }
    printf("%s\n", fake_llm_url(f));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fake_llm_stop(f);
    return 0;
}
