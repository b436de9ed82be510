package org.padfree.evaluate;

import org.padfree.model.ModelCatalog;

/**
 * What a task of either stage (GEMM rows, layer rows) needs before its first input: the task's
 * backend selection and the model shapes, or why no input can run here ({@code unavailable}, null
 * when everything is ready). Without a backend or the model shapes every input still gets its error
 * row, so a task never fails for them.
 */
record TaskSetup(ExecutorBackends.Selection selection, ModelCatalog catalog, String unavailable) {

  static TaskSetup open(EvaluateSettings settings, ExecutorInfo where) {
    ExecutorBackends.Selection selection = null;
    String unavailable = null;
    try {
      selection = ExecutorBackends.forTask(settings);
    } catch (ExecutorBackends.BackendUnavailable e) {
      unavailable = e.getMessage();
    }
    ModelCatalog catalog = null;
    try {
      catalog = ExecutorBackends.catalog(settings.modelsDir());
    } catch (RuntimeException e) {
      unavailable = "cannot load the model shapes on executor " + where.executorId() + ": " + e.getMessage();
    }
    return new TaskSetup(selection, catalog, unavailable);
  }

  /** The input as it must be evaluated here: itself, or failed with the reason nothing can run. */
  EvalInput admit(EvalInput input) {
    return unavailable == null ? input : EvalInput.failed(input.index(), input.dataset(), input.batchId(), unavailable);
  }
}
