package org.padfree.backend;

/**
 * One batch did not fit in the GPU's memory: either the estimate said so before anything was
 * allocated, or an allocation ran out of memory after the backend had freed what it could. The
 * backend has released that batch's buffers and stays usable; the caller records the batch as failed
 * (the Spark job writes an error row with this message) and goes on with the next one.
 */
public final class DeviceMemoryException extends RuntimeException {
  public DeviceMemoryException(String message) {
    super(message);
  }

  public DeviceMemoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
