/* The optimizer's driver: the passes in the order that lets each expose work for the next. */
#include <stdio.h>

#include "opt/opt.h"

edgert_status er_opt_run(er_graph *g, er_opt_stats *stats, char *err, size_t err_len) {
  int32_t changed = 0;
  edgert_status st = er_opt_remove_noops(g, &changed);
  stats->noops_removed += changed;
  if (st == EDGERT_OK) {
    st = er_opt_fold_batch_norm(g, &changed);
    stats->batch_norms_folded += changed;
  }
  if (st == EDGERT_OK) {
    st = er_opt_fuse_activations(g, NULL, &changed);
    stats->activations_fused += changed;
  }
  if (st != EDGERT_OK) snprintf(err, err_len, "graph optimizer: out of memory");
  return st;
}
