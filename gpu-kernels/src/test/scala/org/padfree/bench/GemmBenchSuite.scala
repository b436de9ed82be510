package org.padfree.bench

import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths}
import java.time.{LocalDate, ZoneOffset}
import org.padfree.cuda.jit.TempFolders
import org.scalatest.funsuite.AnyFunSuite

/**
 * GemmBench end to end on the CPU reference backend: conf/bench/ci-cpu.yaml into a temporary
 * reports folder, its CSV and JSON read back and checked column by column; then bad command lines
 * and bad cases files, each exiting 2 with a message naming the field and the case.
 */
class GemmBenchSuite extends AnyFunSuite with TempFolders {
  private val ciCases = Paths.get("../conf/bench/ci-cpu.yaml")

  private case class Result(status: Int, out: String, err: String)

  private def gemmBench(args: String*): Result = {
    val out = new ByteArrayOutputStream()
    val err = new ByteArrayOutputStream()
    val status = GemmBench.run(args.toArray, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8))
    Result(status, out.toString(UTF_8), err.toString(UTF_8))
  }

  private def today = LocalDate.now(ZoneOffset.UTC).toString

  /** The CSV as one map per row, column name -> cell. */
  private def readCsv(file: Path): (Seq[String], Seq[Map[String, String]]) = {
    val lines = Files.readAllLines(file, UTF_8).toArray(Array.empty[String]).toSeq
    // Cells are split on commas outside double quotes (the distribution's text form has commas).
    def cells(line: String): Seq[String] = {
      val out = Seq.newBuilder[String]
      val cell = new StringBuilder
      var quoted = false
      for (ch <- line) ch match {
        case '"' => quoted = !quoted
        case ',' if !quoted => out += cell.result(); cell.clear()
        case c => cell += c
      }
      out += cell.result()
      out.result()
    }
    val header = cells(lines.head)
    (header, lines.tail.map { l =>
      val row = cells(l)
      assert(row.size == header.size, s"row has ${row.size} cells, header ${header.size}: $l")
      header.zip(row).toMap
    })
  }

  test("ci-cpu.yaml on the CPU backend: every case checked and timed, CSV and JSON columns and values") {
    assert(Files.isRegularFile(ciCases), s"${ciCases.toAbsolutePath} is missing")
    val reports = newTempDir("gemm-bench")
    val r = gemmBench("--backend", "cpu", "--reports", reports.toString, "--runs", "30", ciCases.toString)
    assert(r.status == 0, s"exit ${r.status}\n${r.out}\n${r.err}")
    assert(r.out.contains("meaningless"), "the console must label CPU timings")
    val dir = reports.resolve("kernels").resolve(today)
    val (header, rows) = readCsv(dir.resolve("ci-cpu.csv"))
    val required = Seq("name", "n", "k", "groups", "rows", "padded_rows", "block_m", "block_n", "stages", "cluster",
      "padding_free_us", "padded_us", "pad_us", "padding_free_tflops", "padded_tflops", "speedup_vs_padded_gemm",
      "speedup_vs_pad_plus_padded", "pad_gb_per_s", "rel_error", "bit_identical", "sm_clock_mhz",
      "padding_free_p10_us", "padding_free_p90_us", "padded_p10_us", "padded_p90_us", "pad_p10_us", "pad_p90_us",
      "timing_source", "status")
    assert(required.forall(header.contains), s"missing columns: ${required.filterNot(header.contains)}")
    assert(header.distinct.size == header.size, "duplicate columns")

    val cases = BenchCasesFile.read(ciCases).cases()
    assert(rows.map(_("name")) == (0 until cases.size).map(cases.get(_).name()))
    for ((row, i) <- rows.zipWithIndex) {
      val c = cases.get(i)
      val name = row("name")
      assert(row("backend") == "cpu" && row("timing_source") == "cpu-wall-meaningless", name)
      assert(row("status") == "ok", name)
      assert(row("bit_identical") == "true", name)
      assert(row("rel_error").toDouble < 1e-3, s"$name: rel_error ${row("rel_error")}")
      assert(row("rows").toInt == c.counts().sum, name)
      assert(row("groups").toInt == c.counts().length, name)
      assert(row("padded_rows").toInt == c.counts().map(x => (x + 127) / 128 * 128).sum, name)
      val wgmma = c.counts().map(x => (x + 63) / 64 * 64).sum
      assert(row("wgmma_rows").toInt == wgmma, name)
      assert(math.abs(row("speedup_bound_vs_padded").toDouble - row("padded_rows").toDouble / wgmma) < 1e-9, name)
      assert(row("runs").toInt == 30, name)
      for (p <- Seq("padding_free", "padded", "pad")) {
        val (p10, med, p90) = (row(s"${p}_p10_us").toDouble, row(s"${p}_us").toDouble, row(s"${p}_p90_us").toDouble)
        assert(0 < p10 && p10 <= med && med <= p90, s"$name $p: p10 $p10, median $med, p90 $p90")
      }
      val expectedSpeedup = row("padded_us").toDouble / row("padding_free_us").toDouble
      assert(math.abs(row("speedup_vs_padded_gemm").toDouble / expectedSpeedup - 1) < 1e-4, name)
      val flops = 2.0 * c.counts().sum * c.n() * c.k()
      assert(math.abs(row("padding_free_tflops").toDouble / (flops / (row("padding_free_us").toDouble * 1e6)) - 1) < 1e-4, name)
      assert(row("sm_clock_mhz").isEmpty && row("block_n").isEmpty, s"$name: no GPU, no clock or tiles")
    }
    // The first case has an empty group and a group of one row, and runs all five paths.
    val first = rows.head
    assert(first("rows") == "194" && first("empty_groups") == "1")
    assert(first("masked_bit_identical") == "true")
    assert(first("masked_us").toDouble > 0 && first("dense_us").toDouble > 0)
    assert(rows(1)("masked_us").isEmpty, "paths not asked for stay empty")
    assert(rows(2)("rows") == "1" && rows(2)("padded_rows") == "128")

    val json = new String(Files.readAllBytes(dir.resolve("ci-cpu.json")), UTF_8)
    assert(json.contains("\"backend\": \"cpu\""))
    assert(json.contains("\"timings_meaningful\": false"))
    assert("\"bit_identical\": true".r.findAllMatchIn(json).size == cases.size, json)
    assert(json.contains("\"counts\": [0, 1, 129, 64]"), json)
    assert(!Files.list(dir).anyMatch(_.getFileName.toString.startsWith(".")), "a temporary file was left behind")
  }

  test("--out names the files; --case runs only the named cases") {
    val reports = newTempDir("gemm-bench-out")
    val r = gemmBench("--backend=cpu", "--reports", reports.toString, "--out", "mine", "--case", "single-row",
      "--runs", "3", ciCases.toString)
    assert(r.status == 0, r.err)
    val (_, rows) = readCsv(reports.resolve("kernels").resolve(today).resolve("mine.csv"))
    assert(rows.map(_("name")) == Seq("single-row"))
  }

  private def casesFile(body: String): String = {
    val f = newTempDir("gemm-bench-bad").resolve("bad.yaml")
    Files.writeString(f, body)
    f.toString
  }

  private def badCase(extra: String, counts: String = "counts: [1, 2]"): String =
    s"""cases:
       |  - name: good
       |    n: 128
       |    k: 128
       |    counts: [3]
       |  - name: broken
       |    n: 128
       |    k: 128
       |    $counts
       |    $extra
       |""".stripMargin

  private def assertUsageError(args: Seq[String], mentions: String*): Unit = {
    val r = gemmBench(args: _*)
    assert(r.status == 2, s"exit ${r.status} for ${args.mkString(" ")}: ${r.err}")
    for (m <- mentions) assert(r.err.contains(m), s"'$m' not in: ${r.err}")
  }

  test("--dry-run lists each case's padded and wgmma rows and the speedup bound, and runs and writes nothing") {
    val frontier = Paths.get("../conf/bench/frontier.yaml")
    val reports = newTempDir("gemm-bench-dry")
    // --backend cuda would fail here (no GPU): a dry run must not open a backend at all.
    val r = gemmBench("--dry-run", "--backend", "cuda", "--reports", reports.toString, frontier.toString)
    assert(r.status == 0, s"exit ${r.status}\n${r.out}\n${r.err}")
    val cases = BenchCasesFile.read(frontier).cases()
    for (i <- 0 until cases.size) {
      val c = cases.get(i)
      val padded = c.counts().map(x => (x + 127) / 128 * 128).sum
      val wgmma = c.counts().map(x => (x + 63) / 64 * 64).sum
      val line = r.out.linesIterator.find(_.startsWith(c.name() + " "))
        .getOrElse(fail(s"no line for ${c.name()}:\n${r.out}"))
      val cells = line.trim.split("\\s+").toSeq
      val bound = "%.3f".formatLocal(java.util.Locale.ROOT, padded.toDouble / wgmma)
      assert(cells.slice(4, 8) == Seq(c.counts().sum, padded, wgmma).map(_.toString) :+ bound, line)
    }
    // The 32-group log-normal classes cannot reach 1.15x padded by skipping padding alone.
    assert(r.out.linesIterator.exists(l => l.startsWith("32g-8192-ln1-n4096-k7168 ") && l.trim.endsWith("1.133")),
      r.out)
    assert(!Files.exists(reports.resolve("kernels")), "a dry run writes no file")
  }

  test("bad cases files exit 2 naming the field and the case") {
    def run(body: String, mentions: String*): Unit =
      assertUsageError(Seq("--backend", "cpu", casesFile(body)), mentions: _*)
    run(badCase("colour: blue"), "colour", "case 'broken'")
    run(badCase("", counts = "counts: [1, -2]"), "counts[1]", "-2", "case 'broken'")
    run(badCase("", counts = "counts: []"), "counts", "case 'broken'")
    run(badCase("groups: 4"), "groups", "either counts", "case 'broken'")
    run(badCase("paths: [padding_free, fast]"), "paths[1]", "fast", "case 'broken'")
    run(badCase("runs: 0"), "runs", "case 'broken'")
    run(badCase("", counts = "groups: 4\n    rows: 100\n    distribution: gaussian"), "distribution", "gaussian",
      "case 'broken'")
    run(badCase("", counts = "groups: 4\n    rows: 100"), "invalid distribution", "case 'broken'")
    run("cases:\n  - name: no-n\n    k: 128\n    counts: [1]\n", "invalid n", "missing", "case 'no-n'")
    run("cases:\n  - name: odd-n\n    n: 100\n    k: 128\n    counts: [1]\n", "invalid n = 100", "case 'odd-n'")
    run("cases:\n  - name: twice\n    n: 128\n    k: 128\n    counts: [1]\n  - name: twice\n    n: 64\n    k: 128\n    counts: [1]\n",
      "name", "twice")
    run("cases:\n  - n: 128\n    k: 128\n    counts: [1]\n", "invalid name", "cases[0]")
    run("cases: []\n", "cases")
    run("defaults:\n  n: 128\ncases:\n  - name: a\n    n: 128\n    k: 128\n    counts: [1]\n", "invalid n", "defaults")
    run("cases:\n  - name: [unclosed\n", "not valid YAML")
  }

  test("bad command lines exit 2 naming the option; --help exits 0") {
    assertUsageError(Seq("--backend", "gpu", ciCases.toString), "--backend", "gpu")
    assertUsageError(Seq("--runs", "0", ciCases.toString), "--runs")
    assertUsageError(Seq("--frobnicate", "1", ciCases.toString), "--frobnicate")
    assertUsageError(Seq("--backend", "cpu"), "--cases") // no cases file at all
    assertUsageError(Seq("--backend", "cpu", "no-such-file.yaml"), "no-such-file.yaml")
    assertUsageError(Seq("--backend", "cpu", "--case", "nope", ciCases.toString), "--case", "nope")
    assertUsageError(Seq("--out", "../escape", ciCases.toString), "--out")
    assertUsageError(Seq("--block-n", "100", ciCases.toString), "--block-n", "100")
    assertUsageError(Seq("--block-n", "wide", ciCases.toString), "--block-n", "wide")
    val help = gemmBench("--help")
    assert(help.status == 0 && help.out.contains("Usage:") && help.out.contains("--backend"))
  }

  test("every shipped cases file parses, and the generated cases have the rows and groups they ask for") {
    val files = Files.list(Paths.get("../conf/bench")).toArray.map(_.asInstanceOf[Path]).filter(_.toString.endsWith(".yaml"))
    assert(files.map(_.getFileName.toString).toSet == Set("ci-cpu.yaml", "frontier.yaml", "many-experts.yaml", "models.yaml", "sweep.yaml"))
    for (f <- files; c <- BenchCasesFile.read(f).cases().toArray(Array.empty[BenchCase])) {
      assert(c.rows() >= 1 && c.counts().forall(_ >= 0), s"$f ${c.name()}")
    }
    val frontier = BenchCasesFile.read(Paths.get("../conf/bench/frontier.yaml")).cases()
    assert(frontier.size == 6)
    assert(frontier.get(0).groups() == 8 && frontier.get(0).rows() == 32768 && frontier.get(0).distribution() == "uniform30")
    assert(frontier.get(5).groups() == 64 && frontier.get(5).distribution() == "lognormal(sigma=1.0)")
    val sweep = BenchCasesFile.read(Paths.get("../conf/bench/sweep.yaml")).cases().toArray(Array.empty[BenchCase])
    assert(sweep.map(_.groups()).min == 1 && sweep.map(_.groups()).max == 256)
    assert(sweep.map(_.rows()).min == 128 && sweep.map(_.rows()).max == 65536)
  }

  test("percentiles interpolate between order statistics") {
    val s = TimingStats.ofMillis(Array(0.004, 0.001, 0.003, 0.002, 0.005))
    assert(s.medianUs() == 3.0 && s.runs() == 5)
    assert(math.abs(s.p10Us() - 1.4) < 1e-9 && math.abs(s.p90Us() - 4.6) < 1e-9)
  }

  test("a GPU the process cannot use exits 3 and says to pass --backend cpu") {
    val r = gemmBench("--backend", "cuda", "--gpu", "999", ciCases.toString)
    assert(r.status == 3, s"exit ${r.status}: ${r.err}")
    assert(r.err.contains("--backend cpu"), r.err)
  }
}
