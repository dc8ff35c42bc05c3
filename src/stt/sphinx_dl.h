/* pocketsphinx and sphinxbase, loaded when a recogniser or wake spotter first starts rather than
 * when Arvis does: with their dependencies (LAPACK, BLAS, libgfortran) they cost every command
 * about 3 ms of start-up. Include after the pocketsphinx headers; the calls below then go
 * through the loaded table. */
#ifndef ARVIS_SPHINX_DL_H
#define ARVIS_SPHINX_DL_H

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/err.h>
#include <sphinxbase/jsgf.h>
#include <sphinxbase/logmath.h>
#include <sphinxbase/ngram_model.h>

#include "arvis/error.h"

/* Every function of the two libraries Arvis calls, by its own name and type. */
#define SPHINX_FUNCTIONS(X)                                                                        \
    X(ps_args)                                                                                     \
    X(ps_init)                                                                                     \
    X(ps_free)                                                                                     \
    X(ps_get_config)                                                                               \
    X(ps_get_logmath)                                                                              \
    X(ps_add_word)                                                                                 \
    X(ps_lookup_word)                                                                              \
    X(ps_set_lm)                                                                                   \
    X(ps_set_jsgf_file)                                                                            \
    X(ps_set_keyphrase)                                                                            \
    X(ps_set_search)                                                                               \
    X(ps_start_stream)                                                                             \
    X(ps_start_utt)                                                                                \
    X(ps_process_raw)                                                                              \
    X(ps_end_utt)                                                                                  \
    X(ps_get_hyp)                                                                                  \
    X(ps_get_prob)                                                                                 \
    X(ps_seg_iter)                                                                                 \
    X(ps_seg_next)                                                                                 \
    X(ps_seg_word)                                                                                 \
    X(ps_seg_frames)                                                                               \
    X(ps_seg_prob)                                                                                 \
    X(ps_seg_free)                                                                                 \
    X(cmd_ln_init)                                                                                 \
    X(cmd_ln_free_r)                                                                               \
    X(cmd_ln_int_r)                                                                                \
    X(cmd_ln_set_float_r)                                                                          \
    X(ckd_free)                                                                                    \
    X(err_set_logfp)                                                                               \
    X(logmath_exp)                                                                                 \
    X(jsgf_parse_file)                                                                             \
    X(jsgf_get_public_rule)                                                                        \
    X(jsgf_grammar_free)                                                                           \
    X(ngram_model_read)                                                                            \
    X(ngram_model_free)                                                                            \
    X(ngram_model_add_word)                                                                        \
    X(ngram_wid)                                                                                   \
    X(ngram_unknown_wid)

#define SPHINX_FIELD(name) __typeof__(&name) name;
struct sphinx_api {
    SPHINX_FUNCTIONS(SPHINX_FIELD)
};
#undef SPHINX_FIELD

/* Loads the libraries once (any thread) and returns the table, or NULL with err saying which
 * Debian package to install. Its logging is silenced on the way. */
const struct sphinx_api *sphinx_load(arvis_error *err);

/* The table; only after sphinx_load succeeded. */
extern const struct sphinx_api *sphinx;

#ifndef SPHINX_DL_IMPLEMENTATION
#define ps_args sphinx->ps_args
#define ps_init sphinx->ps_init
#define ps_free sphinx->ps_free
#define ps_get_config sphinx->ps_get_config
#define ps_get_logmath sphinx->ps_get_logmath
#define ps_add_word sphinx->ps_add_word
#define ps_lookup_word sphinx->ps_lookup_word
#define ps_set_lm sphinx->ps_set_lm
#define ps_set_jsgf_file sphinx->ps_set_jsgf_file
#define ps_set_keyphrase sphinx->ps_set_keyphrase
#define ps_set_search sphinx->ps_set_search
#define ps_start_stream sphinx->ps_start_stream
#define ps_start_utt sphinx->ps_start_utt
#define ps_process_raw sphinx->ps_process_raw
#define ps_end_utt sphinx->ps_end_utt
#define ps_get_hyp sphinx->ps_get_hyp
#define ps_get_prob sphinx->ps_get_prob
#define ps_seg_iter sphinx->ps_seg_iter
#define ps_seg_next sphinx->ps_seg_next
#define ps_seg_word sphinx->ps_seg_word
#define ps_seg_frames sphinx->ps_seg_frames
#define ps_seg_prob sphinx->ps_seg_prob
#define ps_seg_free sphinx->ps_seg_free
#define cmd_ln_init sphinx->cmd_ln_init
#define cmd_ln_free_r sphinx->cmd_ln_free_r
#define cmd_ln_int_r sphinx->cmd_ln_int_r
#define cmd_ln_set_float_r sphinx->cmd_ln_set_float_r
#define ckd_free sphinx->ckd_free
#define err_set_logfp sphinx->err_set_logfp
#define logmath_exp sphinx->logmath_exp
#define jsgf_parse_file sphinx->jsgf_parse_file
#define jsgf_get_public_rule sphinx->jsgf_get_public_rule
#define jsgf_grammar_free sphinx->jsgf_grammar_free
#define ngram_model_read sphinx->ngram_model_read
#define ngram_model_free sphinx->ngram_model_free
#define ngram_model_add_word sphinx->ngram_model_add_word
#define ngram_wid sphinx->ngram_wid
#define ngram_unknown_wid sphinx->ngram_unknown_wid
#endif

#endif
