package org.padfree.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.padfree.cuda.Cuda;
import org.padfree.cuda.CudaDevice;
import org.padfree.cuda.CudaEvent;
import org.padfree.cuda.CudaStream;
import org.padfree.cuda.DeviceBuffer;
import org.padfree.cuda.jit.KernelJit;
import org.padfree.cuda.jit.LoadedKernel.PreparedLaunch;
import org.padfree.cuda.kernels.CompareRows;
import org.padfree.cuda.kernels.Fp8Quantize;
import org.padfree.cuda.kernels.GemmHeuristics;
import org.padfree.cuda.kernels.PadRows;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Layout;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.LayoutArgs;
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.Operands;
import org.padfree.cuda.kernels.SyntheticInputs;
import org.padfree.quant.ScaleBlocks;

/**
 * GemmBench on one Hopper GPU, with the project's kernels. Per case the operands are made on the
 * device (synthetic_data.cuh and the FP8 quantizers, bit for bit the host's), the layout arrays go
 * up, every launch is prepared once (tensor maps encoded, arguments marshalled) so a timed run is one
 * driver call between two CUDA events, and before each timed run L2 is flushed by writing a buffer
 * of four times its size. Every layout uses the padding-free problem's configuration
 * (GemmHeuristics.choose), as the CUDA backend of the job does, so paths compare like for like.
 */
final class CudaBenchBackend implements BenchBackend {
  private final CudaDevice device;
  private final KernelJit jit;
  private final CudaStream stream;
  private final DeviceBuffer flush;
  private final CudaEvent start;
  private final CudaEvent stop;
  private final PadRows pad = new PadRows();
  private final CompareRows compare = new CompareRows();
  private final SyntheticInputs synthetic = new SyntheticInputs();
  private final Fp8Quantize quantize = new Fp8Quantize();
  private byte flushValue;
  /** The multicast mode every case uses, or null for the heuristic's (GemmBench --multicast). */
  private final GemmHeuristics.Multicast multicast;

  /** The tile width every case uses, or null for the heuristic's (GemmBench --block-n). */
  private final Integer blockN;

  CudaBenchBackend(CudaDevice device, GemmHeuristics.Multicast multicast, Integer blockN) {
    this.multicast = multicast;
    this.blockN = blockN;
    // The context first: streams and events belong to the context current when they are made.
    this.device = device.makeCurrent();
    this.jit = KernelJit.shared();
    this.stream = new CudaStream();
    this.start = new CudaEvent();
    this.stop = new CudaEvent();
    this.flush = DeviceBuffer.allocate(Math.max(256L << 20, 4L * device.l2CacheBytes()), "L2 flush");
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public String device() {
    return device.describe() + ", CUDA driver " + Cuda.driverVersion();
  }

  @Override
  public boolean timingsMeaningful() {
    return true;
  }

  /** nvidia-smi's SM clock of this GPU (selected by UUID, which CUDA_VISIBLE_DEVICES cannot renumber). */
  @Override
  public int smClockMhz() {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=clocks.sm", "--format=csv,noheader,nounits",
          "-i", device.uuid()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return -1;
      }
      return Integer.parseInt(out);
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public PreparedCase prepare(BenchProblem p) {
    device.makeCurrent();
    Prepared prepared = new Prepared(p);
    try {
      prepared.build();
      return prepared;
    } catch (RuntimeException e) {
      prepared.close();
      throw e;
    }
  }

  @Override
  public void close() {
    device.makeCurrent();
    stream.synchronize("closing GemmBench");
    flush.close();
    start.close();
    stop.close();
    stream.close();
  }

  private final class Prepared implements PreparedCase {
    private final BenchProblem p;
    private final BenchCase c;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final Map<BenchPath, PreparedLaunch> launches = new EnumMap<>(BenchPath.class);
    private GemmHeuristics.Config config;
    private DeviceBuffer dFree;
    private DeviceBuffer dPad;
    private DeviceBuffer dMasked;
    private DeviceBuffer dDense;

    Prepared(BenchProblem p) {
      this.p = p;
      this.c = p.benchCase();
    }

    private DeviceBuffer buffer(long bytes, String label) {
      DeviceBuffer b = DeviceBuffer.allocate(Math.max(16, bytes), label + " (" + c.name() + ")");
      buffers.add(b);
      return b;
    }

    private DeviceBuffer ints(int[] values, String label) {
      DeviceBuffer b = buffer(4L * values.length, label);
      if (values.length > 0) {
        b.copyFrom(values);
      }
      return b;
    }

    private long scaleBytes(int rows) {
      return 4L * ScaleBlocks.blocks(c.k()) * ScaleBlocks.roundUp(Math.max(rows, 1), ScaleBlocks.TMA_SCALE_ALIGN);
    }

    void build() {
      int n = c.n();
      int k = c.k();
      int rows = c.rows();
      int groups = c.groups();
      int paddedRows = c.paddedRows();
      config = blockN != null ? GemmHeuristics.withBlockN(blockN)
          : GemmHeuristics.choose(n, k, p.freeMBlocks(), device.multiprocessors());
      if (multicast == GemmHeuristics.Multicast.A) {
        config = GemmHeuristics.withBlockN(128).withMulticast(multicast); // A multicast is built for BLOCK_N 128
      } else if (multicast != null) {
        config = config.withMulticast(multicast);
      }

      DeviceBuffer a = buffer(Sm90Fp8GroupedGemm.activationBytes(rows, k), "A");
      DeviceBuffer sa = buffer(scaleBytes(rows), "A scales");
      DeviceBuffer b = buffer((long) groups * n * k, "B");
      int scalesPerGroup = ScaleBlocks.blocks(n) * ScaleBlocks.blocks(k);
      DeviceBuffer sb = buffer(4L * groups * scalesPerGroup, "B scales");
      try (DeviceBuffer x = DeviceBuffer.allocate(4L * Math.max((long) rows * k, (long) n * k), "synthetic floats");
           DeviceBuffer q = DeviceBuffer.allocate((long) n * k, "one group's B");
           DeviceBuffer s = DeviceBuffer.allocate(4L * scalesPerGroup, "one group's B scales")) {
        synthetic.activations(jit, device, stream, p.activationSeed(), rows, k, x);
        quantize.activations(jit, device, stream, x, a, sa, rows, k);
        for (int e = 0; e < groups; e++) {
          synthetic.weights(jit, device, stream, p.weightSeed(e), n, k, x);
          quantize.weights(jit, device, stream, x, q, s, 1, n, k);
          b.copyFromDeviceAsync(q, 0, (long) e * n * k, (long) n * k, stream);
          sb.copyFromDeviceAsync(s, 0, 4L * e * scalesPerGroup, 4L * scalesPerGroup, stream);
        }
        stream.synchronize("making the operands of case " + c.name());
      }

      dFree = buffer(2L * rows * n, "D");
      DeviceBuffer offsets = ints(p.offsets(), "offsets");
      DeviceBuffer table = ints(p.blockTable(), "block table");
      launches.put(BenchPath.PADDING_FREE, gemm(Layout.PADDING_FREE).prepare(jit, device,
          new Operands(a, sa, b, sb, dFree, rows, groups), new LayoutArgs(offsets, table, p.freeMBlocks(), 0, p.freeMBlocks())));

      DeviceBuffer aPad = buffer((long) paddedRows * k, "A padded");
      DeviceBuffer saPad = buffer(scaleBytes(paddedRows), "A padded scales");
      dPad = buffer(2L * paddedRows * n, "D padded");
      DeviceBuffer padSource = ints(p.padSource(), "pad source");
      DeviceBuffer groupIndex = ints(p.groupIndex(), "group index");
      launches.put(BenchPath.PAD, pad.prepare(jit, device, a, sa, rows, aPad, saPad, padSource, paddedRows, k));
      launches.put(BenchPath.PADDED, gemm(Layout.PADDED).prepare(jit, device,
          new Operands(aPad, saPad, b, sb, dPad, paddedRows, groups),
          new LayoutArgs(groupIndex, null, paddedRows, 0, paddedRows / GemmHeuristics.BLOCK_M)));

      if (c.times(BenchPath.MASKED)) {
        int maskedRows = groups * p.maxRows();
        DeviceBuffer aMasked = buffer(Sm90Fp8GroupedGemm.activationBytes(maskedRows, k), "A masked");
        DeviceBuffer saMasked = buffer(scaleBytes(maskedRows), "A masked scales");
        dMasked = buffer(2L * maskedRows * n, "D masked");
        DeviceBuffer counts = ints(c.counts(), "counts");
        // The masked A is how a decode step receives its rows: gathered here, untimed.
        pad.run(jit, device, stream, a, sa, rows, aMasked, saMasked, ints(p.maskedSource(), "masked source"), maskedRows, k);
        launches.put(BenchPath.MASKED, gemm(Layout.MASKED).prepare(jit, device,
            new Operands(aMasked, saMasked, b, sb, dMasked, maskedRows, groups),
            new LayoutArgs(counts, null, groups, p.maxRows(), groups * ((p.maxRows() + 127) / 128))));
      }
      if (c.times(BenchPath.DENSE)) {
        dDense = buffer(2L * rows * n, "D dense");
        launches.put(BenchPath.DENSE, gemm(Layout.DENSE).prepare(jit, device,
            new Operands(a, sa, b, sb, dDense, rows, 1), new LayoutArgs(null, null, rows, 0, (rows + 127) / 128)));
      }
      stream.synchronize("preparing case " + c.name());
    }

    private Sm90Fp8GroupedGemm gemm(Layout layout) {
      return new Sm90Fp8GroupedGemm(layout, c.n(), c.k(), config);
    }

    @Override
    public KernelConfig config() {
      // every path's (the grid is the padding-free launch's)
      return new KernelConfig(GemmHeuristics.BLOCK_M, config.blockN(), config.stages(), config.multicast().clusterSize(),
          config.multicast().name().toLowerCase(java.util.Locale.ROOT), gridBlocks(launches.get(BenchPath.PADDING_FREE)));
    }

    private static int gridBlocks(PreparedLaunch launch) {
      return launch.config() == null ? 0 : launch.config().gridX(); // no tiles: nothing launched
    }

    @Override
    public Outputs outputs(int[] sampleRows) {
      device.makeCurrent();
      int n = c.n();
      // Different poison in each D: a row that neither kernel wrote cannot pass as identical.
      dFree.fillAsync((byte) 0xFF, stream);
      dPad.fillAsync((byte) 0x00, stream);
      run(BenchPath.PADDING_FREE);
      run(BenchPath.PAD);
      run(BenchPath.PADDED);
      long padded = mismatches(dPad, c.paddedRows(), p.paddedRowOf());
      long masked = -1;
      if (dMasked != null) {
        dMasked.fillAsync((byte) 0x00, stream);
        run(BenchPath.MASKED);
        masked = mismatches(dMasked, (long) c.groups() * p.maxRows(), p.maskedRowOf());
      }
      short[] denseRows = null;
      if (dDense != null) {
        dDense.fillAsync((byte) 0xFF, stream);
        run(BenchPath.DENSE);
        denseRows = rows(dDense, sampleRows, n);
      }
      return new Outputs(padded, masked, rows(dFree, sampleRows, n), denseRows);
    }

    /** Valid rows of {@code other} that differ from padding-free's, counted on the device. */
    private long mismatches(DeviceBuffer other, long otherRows, int[] rowOf) {
      try (DeviceBuffer map = DeviceBuffer.allocate(Math.max(16, 4L * rowOf.length), "row map").copyFrom(rowOf);
           DeviceBuffer count = DeviceBuffer.allocate(8, "mismatch count")) {
        count.fillAsync((byte) 0, stream);
        compare.run(jit, device, stream, dFree, other, otherRows, map, rowOf.length, c.n(), count);
        stream.synchronize("comparing layouts of case " + c.name());
        return count.readLongs(1)[0];
      }
    }

    private short[] rows(DeviceBuffer d, int[] sampleRows, int n) {
      stream.synchronize("GEMMs of case " + c.name());
      short[] out = new short[sampleRows.length * n];
      for (int i = 0; i < sampleRows.length; i++) {
        System.arraycopy(d.readShorts(2L * sampleRows[i] * n, n), 0, out, i * n, n);
      }
      return out;
    }

    @Override
    public void run(BenchPath path) {
      launches.get(path).enqueue(stream);
    }

    @Override
    public double timeMillis(BenchPath path) {
      PreparedLaunch launch = launches.get(path);
      flush.fillAsync(flushValue++, stream);
      start.record(stream);
      launch.enqueue(stream);
      stop.record(stream);
      return stop.millisSince(start);
    }

    @Override
    public void close() {
      device.makeCurrent();
      stream.synchronize("closing case " + c.name());
      for (DeviceBuffer b : buffers) {
        b.close();
      }
      buffers.clear();
    }
  }
}
