package org.padfree.cuda.jit;

/** nvcc failed (or could not run): the message carries nvcc's log and the generated unit. */
public final class KernelCompileException extends RuntimeException {
  private final String log;

  public KernelCompileException(String message, String log) {
    super(message + (log == null || log.isEmpty() ? "" : "\n--- nvcc output ---\n" + log));
    this.log = log == null ? "" : log;
  }

  public String log() {
    return log;
  }
}
