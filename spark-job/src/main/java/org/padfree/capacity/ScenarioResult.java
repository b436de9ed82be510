package org.padfree.capacity;

/**
 * The capacity figures of one scenario (tokens per GPU batch, routing distribution), padded and
 * padding-free pipelines side by side. Throughput counts the routed-expert part of every MoE layer,
 * the part of a forward pass the two pipelines differ in: the whole layer where the sweep measured it,
 * else its two grouped GEMMs ({@link TimeBasis}).
 *
 * @param method how the throughput was obtained: measured, interpolated (between which counts) or
 *     extrapolated (held at the nearest measured count)
 * @param paddingFreeTokensPerSecond per GPU, measured capacity (before headroom)
 * @param paddingFreeGpus GPUs needed: ceil(target / (throughput x (1 - headroom)))
 * @param memoryGainedBytes padded peak - padding-free peak activation bytes per GPU
 * @param memoryGainedFraction that, as a share of the GPU's memory
 * @param monthlySaving (padded - padding-free cost per hour) x 730 hours
 */
public record ScenarioResult(int tokensPerBatch, String distribution, String method, boolean extrapolated,
    double paddingFreeTokensPerSecond, double paddedTokensPerSecond, int paddingFreeGpus, int paddedGpus,
    int gpusSaved, double paddingFreePeakBytes, double paddedPeakBytes, double memoryGainedBytes,
    double memoryGainedFraction, double paddingFreeCostPerHour, double paddedCostPerHour,
    double paddingFreeCostPerMillionTokens, double paddedCostPerMillionTokens, double monthlySaving) {}
