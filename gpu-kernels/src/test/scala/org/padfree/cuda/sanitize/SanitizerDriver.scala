package org.padfree.cuda.sanitize

import scala.collection.mutable.ArrayBuffer
import scala.util.control.NonFatal
import org.padfree.backend.{CpuBackend, CudaBackend, GroupedGemmProblem, PathOutputs}
import org.padfree.cuda.{Cuda, CudaDevice, CudaSettings, CudaStream, DeviceBuffer}
import org.padfree.cuda.jit.KernelJit
import org.padfree.cuda.kernels.{DeviceGemmOperands => Up, GemmHeuristics, ScatterRows, Sm90Fp8GroupedGemm, Sm90TmaTileCopy}
import org.padfree.cuda.kernels.Sm90Fp8GroupedGemm.{Layout, LayoutArgs, Operands}
import org.padfree.numerics.Bf16
import org.padfree.reference.{Bf16Matrix, DoubleReference, GemmFixture, RelativeError}
import org.padfree.routing.RoutedBatch

/**
 * Runs every kernel family once on small shapes, checking each result, for scripts/gpu-sanitize.sh
 * to run under compute-sanitizer (memcheck, racecheck, synccheck): a sanitizer run is only meaningful
 * if the kernels also computed the right thing, so a wrong result fails the run like a hazard does.
 *
 * Families (all by default; pick with --families a,b):
 *   gemm      the grouped GEMM in every layout (padding-free, padded, masked, dense) at every BLOCK_N,
 *             plus A and B multicast; groups of 0..129 rows hit every residual store box and empty groups
 *   backend   CudaBackend end to end: synthetic tokens and FP8 quantization on the device, dispatch
 *             and pad (pad_rows), the three GEMMs, the on-device comparison (compare_rows), against
 *             the CPU backend
 *   weights   synthetic weights and their 128x128 quantization on the device, against the host's bytes
 *   scatter   scatter_rows back to token order, with skipped (-1) rows
 *   tilecopy  the TMA tile copy with partial edge tiles
 *
 * Prints "PASS family case" or "FAIL family case: why" per case and a last line "sanitizer-driver:
 * P passed, F failed"; exits 0 when all passed, 1 when any failed, 2 on bad arguments, 3 without a
 * usable Hopper GPU.
 */
object SanitizerDriver {
  val Families: Seq[String] = Seq("gemm", "backend", "weights", "scatter", "tilecopy")
  private val Usage =
    s"""usage: SanitizerDriver [--families ${Families.mkString(",")}] [--widths 64,96,...] [--compile-only]
       |  --families      kernel families to run (default: all)
       |  --widths        BLOCK_N values for the gemm family (default: all of ${GemmHeuristics.BLOCK_NS})
       |  --compile-only  compile the families' kernels into the cache (in parallel, no GPU needed) and stop""".stripMargin

  private val Poison: Short = 0xFFFF.toShort // a BF16 NaN, never a result of finite inputs
  private var passed = 0
  private val failures = ArrayBuffer.empty[String]

  def main(args: Array[String]): Unit = {
    val options = parse(args.toList, Map.empty) match {
      case Right(o) => o
      case Left(message) =>
        System.err.println(s"sanitizer-driver: $message\n$Usage")
        sys.exit(2)
    }
    val families = options.get("families").map(_.split(",").map(_.trim).filter(_.nonEmpty).toSeq).getOrElse(Families)
    val unknown = families.filterNot(Families.contains)
    if (unknown.nonEmpty) { System.err.println(s"sanitizer-driver: unknown families ${unknown.mkString(",")}\n$Usage"); sys.exit(2) }
    val allWidths = GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue).toSeq
    val widths = options.get("widths").map(_.split(",").map(w => scala.util.Try(w.trim.toInt).getOrElse(-1)).toSeq)
      .getOrElse(allWidths)
    if (widths.isEmpty || !widths.forall(allWidths.contains)) {
      System.err.println(s"sanitizer-driver: --widths must be among ${allWidths.mkString(",")}\n$Usage"); sys.exit(2)
    }
    val jit = new KernelJit(CudaSettings.fromEnvironment())
    if (options.contains("compile-only")) { precompileOrExit(jit, families, widths); sys.exit(0) }

    val reason = Cuda.unavailableReason()
    if (reason.isPresent) { System.err.println(s"sanitizer-driver: no GPU: ${reason.get}"); sys.exit(3) }
    val device = CudaDevice.byOrdinal(0)
    if (!device.isHopper) { System.err.println(s"sanitizer-driver: needs a Hopper GPU (sm_90), found ${device.describe}"); sys.exit(3) }
    device.makeCurrent()
    // Compiling first, in parallel, keeps nvcc out of the sanitized runs' time (they find the cubins
    // in the disk cache) and fails fast, before any GPU work, when a kernel does not compile.
    precompileOrExit(jit, families, widths)
    println(s"sanitizer-driver on ${device.describe}; kernel cache ${jit.settings.cacheDir}; families ${families.mkString(",")}")
    val (passedCases, failed) = runFamilies(device, jit, families, widths)
    println(s"sanitizer-driver: $passedCases passed, ${failed.size} failed")
    failed.foreach(f => println(s"  failed: $f"))
    sys.exit(if (failed.isEmpty) 0 else 1)
  }

  private def precompileOrExit(jit: KernelJit, families: Seq[String], widths: Seq[Int]): Unit =
    try precompile(jit, families, widths) catch {
      case e: IllegalStateException => System.err.println(s"sanitizer-driver: ${e.getMessage}"); sys.exit(1)
    }

  /**
   * Runs the cases of {@code families} on {@code device} (current on this thread), each one checked;
   * returns how many passed and a line per failed case. Also used by SanitizerDriverGpuSuite.
   */
  def runFamilies(device: CudaDevice, jit: KernelJit, families: Seq[String], widths: Seq[Int]): (Int, Seq[String]) =
    synchronized {
      passed = 0
      failures.clear()
      if (families.contains("gemm")) gemmFamily(jit, device, widths)
      if (families.contains("tilecopy")) tileCopyFamily(jit, device)
      if (families.contains("scatter")) scatterFamily(jit, device)
      if (families.contains("backend") || families.contains("weights")) {
        val gpu = new CudaBackend(device, jit)
        val cpu = new CpuBackend(2)
        try {
          if (families.contains("backend")) backendFamily(gpu, cpu)
          if (families.contains("weights")) weightsFamily(gpu, cpu)
        } finally { gpu.close(); cpu.close() }
      }
      (passed, failures.toSeq)
    }

  private def parse(args: List[String], acc: Map[String, String]): Either[String, Map[String, String]] = args match {
    case Nil => Right(acc)
    case ("--help" | "-h") :: _ => println(Usage); sys.exit(0)
    case "--compile-only" :: rest => parse(rest, acc + ("compile-only" -> "true"))
    case ("--families" | "--widths") :: value :: rest => parse(rest, acc + (args.head.drop(2) -> value))
    case flag :: Nil if flag.startsWith("--") => Left(s"$flag needs a value")
    case other :: _ => Left(s"unknown argument '$other'")
  }

  /** Runs one case; an exception or a failed check is a FAIL line, never the end of the run. */
  private def run(family: String, name: String)(body: => Unit): Unit = {
    try {
      body
      passed += 1
      println(s"PASS $family $name")
    } catch {
      case NonFatal(e) =>
        val why = s"${e.getClass.getSimpleName}: ${Option(e.getMessage).getOrElse("").linesIterator.take(3).mkString(" / ")}"
        failures += s"$family $name: $why"
        println(s"FAIL $family $name: $why")
    }
  }

  private def check(ok: Boolean, what: => String): Unit = if (!ok) throw new AssertionError(what)

  /** Holds device buffers of one case and frees them at its end. */
  private final class Buffers extends AutoCloseable {
    private val held = ArrayBuffer.empty[DeviceBuffer]
    def apply(b: DeviceBuffer): DeviceBuffer = { held += b; b }
    override def close(): Unit = held.foreach(_.close())
  }

  /** The kernels the families load (the backend's GEMMs, chosen per device, compile on first use). */
  private def specs(families: Seq[String], widths: Seq[Int]): Seq[org.padfree.cuda.jit.KernelSpec] = {
    val gemm = if (!families.contains("gemm")) Seq.empty else
      (for (bn <- widths; layout <- Seq(Layout.PADDING_FREE, Layout.PADDED, Layout.MASKED))
        yield new Sm90Fp8GroupedGemm(layout, GemmN, GemmK, GemmHeuristics.withBlockN(bn)).spec()) ++
        Seq(MulticastA, MulticastB).flatMap(c => Seq(Layout.PADDING_FREE, Layout.PADDED, Layout.MASKED)
          .map(l => new Sm90Fp8GroupedGemm(l, 512, 768, c).spec())) ++
        widths.filter(DenseWidths).flatMap(bn => Seq(Layout.DENSE, Layout.PADDING_FREE)
          .map(l => new Sm90Fp8GroupedGemm(l, 256, 512, GemmHeuristics.withBlockN(bn)).spec()))
    val backend = if (!families.contains("backend") && !families.contains("weights")) Seq.empty else
      Seq(new org.padfree.cuda.kernels.PadRows().spec(), new org.padfree.cuda.kernels.CompareRows().spec(),
        new org.padfree.cuda.kernels.Fp8Quantize().activationSpec(), new org.padfree.cuda.kernels.Fp8Quantize().weightSpec(),
        new org.padfree.cuda.kernels.SyntheticInputs().activationSpec(), new org.padfree.cuda.kernels.SyntheticInputs().weightSpec())
    val scatter = if (families.contains("scatter")) Seq(new ScatterRows().spec()) else Seq.empty
    val tiles = if (families.contains("tilecopy")) TileCases.map { case (_, _, br, bc) => new Sm90TmaTileCopy(br, bc).spec() } else Seq.empty
    (gemm ++ backend ++ scatter ++ tiles).distinctBy(_.entry())
  }

  def precompile(jit: KernelJit, families: Seq[String], widths: Seq[Int]): Unit = {
    val all = specs(families, widths)
    val threads = math.max(1, math.min(all.size, Runtime.getRuntime.availableProcessors))
    val pool = java.util.concurrent.Executors.newFixedThreadPool(threads)
    val t0 = System.nanoTime()
    try {
      val futures = all.map(spec => spec -> pool.submit(new java.util.concurrent.Callable[Boolean] {
        def call(): Boolean = jit.compile(spec).compiled()
      }))
      var compiled = 0
      for ((spec, future) <- futures) {
        try { if (future.get()) compiled += 1 }
        catch { case e: java.util.concurrent.ExecutionException =>
          throw new IllegalStateException(s"${spec.entry()} does not compile: ${e.getCause.getMessage}", e.getCause) }
      }
      println(f"sanitizer-driver: ${all.size} kernels ready ($compiled compiled now, ${all.size - compiled} from the cache) " +
        f"in ${(System.nanoTime() - t0) / 1e9}%.1f s on $threads threads")
    } finally pool.shutdown()
  }

  private val GemmN = 576
  private val GemmK = 384
  private val MulticastA = GemmHeuristics.withBlockN(128).withMulticast(GemmHeuristics.Multicast.A)
  private val MulticastB = GemmHeuristics.withBlockN(192).withMulticast(GemmHeuristics.Multicast.B)
  private val DenseWidths = Set(64, 112, 192)
  private val TileCases = Seq((100, 70, 64, 32), (5, 260, 1, 256), (129, 64, 128, 64))

  // ---- gemm ------------------------------------------------------------------------------------

  private def gemmFamily(jit: KernelJit, device: CudaDevice, widths: Seq[Int]): Unit = {
    // 0..129-row groups give every residual store box and empty groups; N=576 (4.5 scale blocks) makes
    // tiles straddle scale blocks and leaves a partial last tile; K=384 has fewer K blocks than stages.
    val counts = Array(0, 1, 3, 17, 63, 64, 65, 127, 128, 129, 0, 40)
    for (bn <- widths)
      run("gemm", s"padded/padding-free/masked BLOCK_N=$bn N=$GemmN K=$GemmK") {
        groupedLayouts(jit, device, counts, GemmN, GemmK, GemmHeuristics.withBlockN(bn), 70L + bn)
      }
    run("gemm", "padded/padding-free/masked BLOCK_N=128 A multicast N=512 K=768") {
      groupedLayouts(jit, device, Array(0, 1, 127, 128, 129, 300, 5), 512, 768, MulticastA, 90L)
    }
    run("gemm", "padded/padding-free/masked BLOCK_N=192 B multicast N=512 K=768") {
      groupedLayouts(jit, device, Array(0, 1, 127, 128, 129, 300, 5, 256), 512, 768, MulticastB, 91L)
    }
    for (bn <- widths.filter(DenseWidths))
      run("gemm", s"dense BLOCK_N=$bn 300 rows N=256 K=512") { dense(jit, device, 300, 256, 512, bn, 95L + bn) }
  }

  /** Every grouped layout on one batch: valid rows bit-identical across layouts, close to the reference, nothing else written. */
  private def groupedLayouts(jit: KernelJit, device: CudaDevice, counts: Array[Int], n: Int, k: Int,
      config: GemmHeuristics.Config, seed: Long): Unit = {
    val f = GemmFixture.fromCounts(counts, n, k, seed)
    val experts = counts.length
    val rows = f.free.rows
    val guard = 8
    val stream = new CudaStream()
    val keep = new Buffers
    try {
      val b = keep(Up.weights(f.weights, "B")); val sb = keep(Up.weightScales(f.weights, "SB"))
      val mBlocks = Up.blockStarts(f.free.offsets).last
      val aFree = keep(Up.activations(f.freeA, "A")); val saFree = keep(Up.activationScales(f.freeA, "SA"))
      val dFree = keep(DeviceBuffer.allocate(2L * (rows + guard) * n, "D")).fill(0xFF.toByte)
      val offsets = keep(DeviceBuffer.allocate(4L * (experts + 1), "offsets").copyFrom(f.free.offsets))
      val table = Up.blockTable(f.free.offsets)
      val tableBuf = keep(DeviceBuffer.allocate(4L * math.max(2, table.length), "block table").copyFrom(table))
      new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, n, k, config).run(jit, device, stream,
        new Operands(aFree, saFree, b, sb, dFree, rows, experts), new LayoutArgs(offsets, tableBuf, mBlocks, 0, mBlocks))

      val padRows = f.padded.paddedRows
      val aPad = keep(Up.activations(f.paddedA, "A padded")); val saPad = keep(Up.activationScales(f.paddedA, "SA padded"))
      val dPad = keep(DeviceBuffer.allocate(2L * math.max(1, padRows) * n, "D padded")).fill(0xFF.toByte)
      val index = keep(DeviceBuffer.allocate(4L * math.max(1, padRows), "group index").copyFrom(f.padded.groupIndex))
      new Sm90Fp8GroupedGemm(Layout.PADDED, n, k, config).run(jit, device, stream,
        new Operands(aPad, saPad, b, sb, dPad, padRows, experts), new LayoutArgs(index, null, padRows, 0, padRows / 128))

      val maxRows = f.masked.maxRows
      val aMask = keep(Up.activations(f.maskedA, "A masked")); val saMask = keep(Up.activationScales(f.maskedA, "SA masked"))
      val dMask = keep(DeviceBuffer.allocate(2L * experts * maxRows * n, "D masked")).fill(0xFF.toByte)
      val maskCounts = keep(DeviceBuffer.allocate(4L * experts, "counts").copyFrom(f.masked.counts))
      new Sm90Fp8GroupedGemm(Layout.MASKED, n, k, config).run(jit, device, stream,
        new Operands(aMask, saMask, b, sb, dMask, experts * maxRows, experts),
        new LayoutArgs(maskCounts, null, experts, maxRows, experts * ((maxRows + 127) / 128)))
      stream.synchronize(s"GEMMs $config")

      val free = dFree.toShorts; val padded = dPad.toShorts; val masked = dMask.toShorts
      for (i <- rows * n until (rows + guard) * n) check(free(i) == Poison, s"guard element ${i - rows * n} past D was written")
      for (e <- counts.indices; i <- 0 until counts(e); c <- 0 until n) {
        val v = free((f.free.offsets()(e) + i) * n + c)
        check(v != Poison, s"padding-free row ${f.free.offsets()(e) + i} col $c not written")
        check(v == padded((f.padded.groupStarts()(e) + i) * n + c), s"padded differs (expert $e row $i col $c)")
        check(v == masked((e * maxRows + i) * n + c), s"masked differs (expert $e row $i col $c)")
      }
      for (r <- 0 until padRows if f.padded.groupIndex()(r) < 0; c <- 0 until n)
        check(padded(r * n + c) == Poison || (padded(r * n + c) & 0x7FFF) == 0,
          s"padded padding row $r col $c holds ${Bf16.toFloat(padded(r * n + c))}, neither untouched nor zero")
      for (e <- counts.indices; i <- counts(e) until maxRows; c <- 0 until n)
        check(masked((e * maxRows + i) * n + c) == Poison, s"masked row past the count (expert $e row $i) was written")
      checkAgainstReference(f, free, Seq(0, rows / 3, rows / 2, rows - 1).distinct.filter(_ >= 0))
    } finally { keep.close(); stream.close() }
  }

  private def checkAgainstReference(f: GemmFixture, free: Array[Short], sample: Seq[Int]): Unit = {
    val n = f.n
    val actual = ArrayBuffer.empty[Double]; val expected = ArrayBuffer.empty[Double]
    for (r <- sample) {
      val expert = f.free.offsets().indices.find(e => f.free.offsets()(e) <= r && r < f.free.offsets()(e + 1)).get
      val ref = DoubleReference.compute(f.freeA, r, 1, f.weights, expert).values()
      for (c <- 0 until n) { actual += Bf16.toFloat(free(r * n + c)); expected += ref(c) }
    }
    if (sample.nonEmpty) {
      val err = RelativeError.of(actual.toArray, expected.toArray)
      check(err < 1e-3, s"relative error $err against the double reference on rows $sample")
    }
  }

  /** The dense layout on one expert's rows equals the padding-free layout on one group of the same rows. */
  private def dense(jit: KernelJit, device: CudaDevice, rows: Int, n: Int, k: Int, bn: Int, seed: Long): Unit = {
    val f = GemmFixture.fromCounts(Array(rows), n, k, seed)
    val config = GemmHeuristics.withBlockN(bn)
    val stream = new CudaStream()
    val keep = new Buffers
    try {
      val b = keep(Up.weights(f.weights, "B")); val sb = keep(Up.weightScales(f.weights, "SB"))
      val a = keep(Up.activations(f.freeA, "A")); val sa = keep(Up.activationScales(f.freeA, "SA"))
      val guard = 8
      val dDense = keep(DeviceBuffer.allocate(2L * (rows + guard) * n, "D dense")).fill(0xFF.toByte)
      val dFree = keep(DeviceBuffer.allocate(2L * rows * n, "D padding-free")).fill(0xFF.toByte)
      val mBlocks = (rows + 127) / 128
      new Sm90Fp8GroupedGemm(Layout.DENSE, n, k, config).run(jit, device, stream,
        new Operands(a, sa, b, sb, dDense, rows, 1), new LayoutArgs(null, null, rows, 0, mBlocks))
      val offsets = keep(DeviceBuffer.allocate(8, "offsets").copyFrom(f.free.offsets))
      val table = Up.blockTable(f.free.offsets)
      val tableBuf = keep(DeviceBuffer.allocate(4L * table.length, "block table").copyFrom(table))
      new Sm90Fp8GroupedGemm(Layout.PADDING_FREE, n, k, config).run(jit, device, stream,
        new Operands(a, sa, b, sb, dFree, rows, 1), new LayoutArgs(offsets, tableBuf, mBlocks, 0, mBlocks))
      stream.synchronize(s"dense and padding-free BLOCK_N=$bn")
      val d = dDense.toShorts; val free = dFree.toShorts
      for (i <- 0 until rows * n) check(d(i) == free(i), s"dense and padding-free differ at row ${i / n} col ${i % n}")
      for (i <- rows * n until (rows + guard) * n) check(d(i) == Poison, s"dense wrote past its $rows rows")
      checkAgainstReference(f, d, Seq(0, rows - 1))
    } finally { keep.close(); stream.close() }
  }

  // ---- tile copy and scatter ---------------------------------------------------------------------

  private def tileCopyFamily(jit: KernelJit, device: CudaDevice): Unit =
    for ((rows, cols, br, bc) <- TileCases)
      run("tilecopy", s"$rows x $cols floats in $br x $bc tiles") {
        val pitch = ((cols * 4 + 15) / 16 * 16) / 4
        val src = Array.tabulate(rows * pitch)(i => (i % 9973) * 0.25f - 7f)
        val stream = new CudaStream()
        val keep = new Buffers
        try {
          val in = keep(DeviceBuffer.allocate(4L * src.length, "src")).copyFrom(src)
          val out = keep(DeviceBuffer.allocate(4L * src.length + 4096, "dst")).fill(0x7F.toByte)
          new Sm90TmaTileCopy(br, bc).run(jit, device, stream, in, out, rows, cols, 1.5f)
          stream.synchronize("tile copy")
          val result = out.toFloats
          for (r <- 0 until rows; c <- 0 until cols)
            check(result(r * pitch + c) == src(r * pitch + c) + 1.5f, s"element ($r, $c)")
          for (i <- rows * pitch until result.length)
            check(java.lang.Float.floatToRawIntBits(result(i)) == 0x7F7F7F7F, s"guard float ${i - rows * pitch} written")
        } finally { keep.close(); stream.close() }
      }

  private def scatterFamily(jit: KernelJit, device: CudaDevice): Unit =
    for ((rows, rowBytes) <- Seq((37, 64), (300, 1024)))
      run("scatter", s"$rows rows of $rowBytes bytes, every 5th skipped") {
        val dstRows = rows + 3
        val random = new java.util.SplittableRandom(rows)
        val perm = (0 until dstRows).toArray
        for (i <- perm.length - 1 to 1 by -1) { val j = random.nextInt(i + 1); val t = perm(i); perm(i) = perm(j); perm(j) = t }
        val destination = Array.tabulate(rows)(r => if (r % 5 == 4) -1 else perm(r))
        val src = Array.tabulate(rows * rowBytes)(i => ((i * 131 + 7) % 251).toByte)
        val stream = new CudaStream()
        val keep = new Buffers
        try {
          val s = keep(DeviceBuffer.allocate(src.length, "src")).copyFrom(src)
          val d = keep(DeviceBuffer.allocate(dstRows.toLong * rowBytes, "dst")).fill(0xA5.toByte)
          val dest = keep(DeviceBuffer.allocate(4L * rows, "destination")).copyFrom(destination)
          new ScatterRows().run(jit, device, stream, s, d, dest, rows, rowBytes, dstRows)
          stream.synchronize("scatter")
          val out = d.toBytes
          val written = destination.filter(_ >= 0).toSet
          for (r <- 0 until rows if destination(r) >= 0; b <- 0 until rowBytes)
            check(out(destination(r) * rowBytes + b) == src(r * rowBytes + b), s"row $r -> ${destination(r)} byte $b")
          for (t <- 0 until dstRows if !written(t); b <- 0 until rowBytes)
            check(out(t * rowBytes + b) == 0xA5.toByte, s"destination row $t has no source but was written")
        } finally { keep.close(); stream.close() }
      }

  // ---- backend and weights -----------------------------------------------------------------------

  private def backendFamily(gpu: CudaBackend, cpu: CpuBackend): Unit = {
    val cases = Seq(
      ("uploaded tokens, top-1, edge groups N=256 K=384", Array(0, 1, 127, 128, 129, 0, 40), 256, 384, 1, false),
      ("synthetic tokens made on the device, top-2, N=192 K=256", Array(30, 0, 1, 64, 70, 9), 192, 256, 2, true))
    for ((name, counts, n, k, topK, synthetic) <- cases)
      run("backend", name) {
        val f = GemmFixture.fromCounts(counts, n, k, 11L + n, topK)
        val p = if (synthetic) GroupedGemmProblem.synthetic(f.batch, 12L, f.weights)
                else GroupedGemmProblem.of(f.batch, f.tokens, f.weights)
        val rows = p.rows
        val checkRows = Array(0, rows / 2, rows - 1).distinct
        val onDevice = gpu.run(p, 1, checkRows)
        check(onDevice.paddedMismatches == 0 && onDevice.maskedMismatches == 0,
          s"on-device comparison: ${onDevice.paddedMismatches} padded and ${onDevice.maskedMismatches} masked mismatches")
        val full = gpu.run(p, 1)
        val reference = cpu.run(p, 1)
        compareWithCpu(p, full, reference)
        for ((r, i) <- checkRows.zipWithIndex)
          check(sameRow(onDevice.paddingFree, i, full.paddingFree, r), s"checked row $r differs from the full run's")
      }
  }

  private def sameRow(a: Bf16Matrix, ra: Int, b: Bf16Matrix, rb: Int): Boolean =
    java.util.Arrays.equals(a.bits, ra * a.cols, (ra + 1) * a.cols, b.bits, rb * b.cols, (rb + 1) * b.cols)

  private def compareWithCpu(p: GroupedGemmProblem, g: PathOutputs, c: PathOutputs): Unit = {
    val offsets = p.paddingFree.offsets; val starts = p.padded.groupStarts; val counts = p.masked.counts
    val maxRows = p.masked.maxRows
    for (e <- counts.indices; i <- 0 until counts(e)) {
      check(sameRow(g.padded, starts(e) + i, g.paddingFree, offsets(e) + i), s"padded and padding-free differ (expert $e row $i)")
      check(sameRow(g.masked, e * maxRows + i, g.paddingFree, offsets(e) + i), s"masked and padding-free differ (expert $e row $i)")
    }
    if (g.paddingFree.rows > 0) {
      val values = (m: Bf16Matrix) => m.bits.map(b => Bf16.toFloat(b).toDouble)
      val err = RelativeError.of(values(g.paddingFree), values(c.paddingFree))
      check(err < 1e-3, s"relative error $err against the CPU backend")
    }
    for (r <- 0 until g.padded.rows if p.padded.groupIndex()(r) < 0)
      check(sameRow(g.padded, r, c.padded, r), s"padding row $r differs from the CPU's")
  }

  private def weightsFamily(gpu: CudaBackend, cpu: CpuBackend): Unit =
    for ((n, k) <- Seq((200, 400), (256, 384)))
      run("weights", s"synthetic weights and their quantization n=$n k=$k") {
        val seeds = Array(3L, -9L)
        val fromGpu = gpu.syntheticWeights(seeds, n, k)
        val fromHost = cpu.syntheticWeights(seeds, n, k)
        for (m <- seeds.indices) {
          check(java.util.Arrays.equals(fromGpu(m).values()(0), fromHost(m).values()(0)), s"seed ${seeds(m)}: FP8 codes differ")
          check(java.util.Arrays.equals(fromGpu(m).scales()(0), fromHost(m).scales()(0)), s"seed ${seeds(m)}: scales differ")
        }
      }
}
