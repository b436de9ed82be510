package org.padfree.cuda.jit

import java.nio.file.Files
import scala.jdk.CollectionConverters._
import scala.util.{Failure, Success, Try}
import org.padfree.cuda.CudaSettings
import org.padfree.cuda.kernels.{CompareRows, Fp8Quantize, GemmHeuristics, MoeLayerKernels, PadRows, ScatterRows, Sm90Fp8GroupedGemm, Sm90TmaTileCopy, SyntheticInputs}
import org.scalatest.funsuite.AnyFunSuite

/**
 * Every shipped kernel configuration compiles with the real nvcc for sm_90a without stack frames or
 * spills (needs the CUDA toolkit, not a GPU; cancels where nvcc cannot run).
 */
class NvccCompileSuite extends AnyFunSuite with TempFolders {
  /** Every kernel configuration the project ships. */
  private val shipped: Seq[KernelSpec] =
    Seq((64, 32), (1, 4), (128, 64), (256, 16)).map { case (rows, cols) => new Sm90TmaTileCopy(rows, cols).spec() } ++
      (for {
        layout <- Sm90Fp8GroupedGemm.Layout.values.toSeq
        (n, k) <- Seq((4096, 7168), (7168, 2048))
        // every width for the padding-free layout; the others share its code paths, so a sample
        blockN <- if (layout == Sm90Fp8GroupedGemm.Layout.PADDING_FREE) GemmHeuristics.BLOCK_NS.toArray(Array.empty[Integer]).map(_.intValue).toSeq
                  else Seq(64, 112, 128, 192)
        // A multicast is built for 128 only; B multicast for every width of padding-free, a sample of the others
        multicast <- GemmHeuristics.Multicast.values.toSeq.filter {
          case GemmHeuristics.Multicast.A => blockN == 128
          case GemmHeuristics.Multicast.B => layout == Sm90Fp8GroupedGemm.Layout.PADDING_FREE || blockN == 192
          case _ => true
        }
      } yield new Sm90Fp8GroupedGemm(layout, n, k, GemmHeuristics.withBlockN(blockN).withMulticast(multicast)).spec()) ++
      Seq(new PadRows().spec(), new Fp8Quantize().activationSpec(), new Fp8Quantize().weightSpec(), new ScatterRows().spec(), new CompareRows().spec(),
        new SyntheticInputs().activationSpec(), new SyntheticInputs().weightSpec(), new Fp8Quantize().activationBf16Spec(),
        new MoeLayerKernels().gatherSpec(), new MoeLayerKernels().swigluSpec(), new MoeLayerKernels().combineSpec()) ++
      // the fused SwiGLU-FP8 epilogue of an MoE layer's gate_up GEMM (DeepSeek-V3's 2I = 4096, Qwen3-235B's 3072)
      Seq((Sm90Fp8GroupedGemm.Layout.PADDING_FREE, 4096, 7168), (Sm90Fp8GroupedGemm.Layout.PADDED, 3072, 4096)).map { case (layout, n, k) =>
        new Sm90Fp8GroupedGemm(layout, n, k, GemmHeuristics.withBlockN(128).withMulticast(GemmHeuristics.Multicast.A),
          Sm90Fp8GroupedGemm.Output.SWIGLU_FP8).spec()
      }

  private lazy val settings = CudaSettings.fromEnvironment()
  private lazy val nvccProblem: Option[String] = Try(new NvccCompiler(settings.nvcc()).version()) match {
    case Success(_) => None
    case Failure(e) =>
      Some(s"'${settings.nvcc()} --version' failed: ${e.getMessage.linesIterator.nextOption().getOrElse("")}")
  }
  private lazy val jit = new KernelJit(settings.withCacheDir(newTempDir("nvcc")))

  private def requireNvcc(): Unit = nvccProblem.foreach(problem => cancel(s"nvcc not found: $problem"))

  /** One ptxas "Function properties" block: stack frame and spill bytes. */
  private case class Frame(function: String, stack: Int, spillStores: Int, spillLoads: Int)

  private val FrameLine = ("""ptxas info\s*: Function properties for (\S+)\s*\n"""
    + """\s*(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads""").r

  private def frames(log: String): Seq[Frame] =
    FrameLine.findAllMatchIn(log).map(m => Frame(m.group(1), m.group(2).toInt, m.group(3).toInt, m.group(4).toInt)).toSeq

  /** The ptxas lines of `entry` alone (the log of one compile may report several functions). */
  private def section(log: String, entry: String): String = {
    val start = log.indexOf(s"Compiling entry function '$entry'")
    assert(start >= 0, s"ptxas did not report compiling $entry:\n$log")
    val next = log.indexOf("Compiling entry function '", start + 1)
    log.substring(start, if (next < 0) log.length else next)
  }

  for (spec <- shipped) {
    test(s"nvcc compiles ${spec.entry()} for sm_90a with no stack frame and no spills") {
      requireNvcc()
      val entry = jit.compile(spec)
      val cubin = entry.cubin()
      assert(cubin.length > 4 && cubin.take(4).sameElements(Array[Byte](0x7f, 'E', 'L', 'F')),
        s"${spec.entry()}: the cubin (${cubin.length} bytes) is not an ELF file")
      assert(new String(cubin, "ISO-8859-1").contains(spec.entry()), s"${spec.entry()}: the cubin lacks its entry symbol")

      val log = entry.log()
      val reported = frames(log)
      assert(reported.size == "Function properties for".r.findAllMatchIn(log).size,
        s"${spec.entry()}: a Function properties block did not parse:\n$log")
      assert(reported.exists(_.function == spec.entry()), s"${spec.entry()}: no Function properties block:\n$log")
      for (f <- reported)
        assert(f.stack == 0 && f.spillStores == 0 && f.spillLoads == 0,
          s"${spec.entry()}: ${f.function} has ${f.stack} bytes stack frame, ${f.spillStores} bytes spill stores, "
            + s"${f.spillLoads} bytes spill loads:\n$log")

      val own = section(log, spec.entry())
      val registers = """Used (\d+) registers""".r.findFirstMatchIn(own).map(_.group(1).toInt)
      val smem = """(\d+) bytes smem""".r.findFirstMatchIn(own).map(_.group(1).toInt)
      assert(registers.isDefined, s"${spec.entry()}: no register count in\n$own")
      info(s"${spec.entry()}: ${registers.get} registers, ${smem.getOrElse(0)} bytes smem, "
        + s"nvcc ${entry.compileMillis()} ms, cubin ${cubin.length} bytes")
    }
  }

  test("a static_assert in a kernel header fails the compile with its message and caches nothing") {
    requireNvcc()
    val valid = shipped.head
    val broken = new KernelSpec("padfree_tma_tile_copy_64x3_f32_broken", valid.header(), valid.function(),
      List("64", "3", "float").asJava, valid.parameters(), valid.threads(), valid.minBlocksPerSm())
    val e = intercept[KernelCompileException](jit.compile(broken))
    assert(e.log().contains("multiple of 16 bytes"), s"nvcc's log lacks the static_assert message:\n${e.log()}")
    assert(e.getMessage.contains(broken.translationUnit()), s"the message lacks the unit:\n${e.getMessage}")
    assert(!Files.exists(new CubinCache(jit.settings().cacheDir()).cubinPath(jit.cacheKey(broken))))
  }
}
