package org.padfree.backend;

import org.padfree.reference.Bf16Matrix;

/**
 * What a backend returns for one batch: D of every path as host copies (padded D keeps its padding
 * rows, masked D is [E][maxRows][N]), the timings, and the kernel configuration that produced them.
 */
public record PathOutputs(
    Bf16Matrix padded, Bf16Matrix paddingFree, Bf16Matrix masked, PathTimings timings, String kernelConfig) {}
