package org.padfree.scripts

import java.nio.file.{Files, Path}
import scala.jdk.CollectionConverters._
import org.apache.commons.io.file.PathUtils
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/**
 * Every script's command line: --help and -h print usage and exit 0 before any work, an unknown option
 * exits 2 naming it. Scripts are found by listing scripts/, so a new one is covered without editing
 * this suite. They run in a copy of the repository (RepositoryCopy) where every tool that does real
 * work (java, javac, jlink, mvn, ./mvnw, nvidia-smi, spark-submit) is a fake that writes down that it
 * ran; any such line, any file written into the copy, $OUT, $TMPDIR or $PADFREE_RT fails the test.
 */
class ScriptsCliSuite extends AnyFunSuite with BeforeAndAfterAll {
  /** Sourced by other scripts; run on their own they only answer --help. */
  private val libraries = Set("lib.sh", "find-jdk.sh", "job-args.sh")
  /** Hand arguments other than --help to a job, which rejects the ones it does not know; their job's class. */
  private val passThrough = Map(
    "run-local.sh" -> "org.padfree.jobs.EvaluateJob",
    "sweep.sh" -> "org.padfree.jobs.SweepJob",
    "capacity.sh" -> "org.padfree.jobs.CapacityStudy")

  private val scripts: Seq[String] = {
    val dir = RepositoryCopy.source.resolve("scripts")
    val names = Files.list(dir).iterator.asScala.map(_.getFileName.toString).filter(_.endsWith(".sh")).toSeq.sorted
    names.map("scripts/" + _) :+ "conf/getGpusResources.sh"
  }

  private lazy val fakes: Path = Files.createTempDirectory("fake-tools")

  /** A fake of every tool that does work: each appends "NAME ARGS" to $PADFREE_TEST_RECORD. The fake java
   *  answers the JDK probe as Java 25, prints no Spark flags, and as a job rejects --bogus-option. */
  private def makeFakes(): Unit = {
    val record = """printf '%s %s\n' "$(basename "$0")" "$*" >> "$PADFREE_TEST_RECORD""""
    val java = record + """
      |case " $* " in
      |  *" -XshowSettings:properties "*) echo '    java.specification.version = 25' >&2; exit 0 ;;
      |  *SparkJvmFlags*) exit 0 ;;
      |  *" --bogus-option "*) echo 'fake job: argument --bogus-option: unknown option; see --help' >&2; exit 2 ;;
      |esac""".stripMargin
    for (tool <- Seq("java", "javac", "jlink")) {
      Shell.writeExecutable(fakes.resolve("jdk/bin").resolve(tool), java)
      Shell.writeExecutable(fakes.resolve("bin").resolve(tool), java)
    }
    for (tool <- Seq("mvn", "nvidia-smi", "spark-submit", "python3"))
      Shell.writeExecutable(fakes.resolve("bin").resolve(tool), record + "\nexit 97")
    Files.createDirectories(fakes.resolve("no-jdks"))
  }

  /** ./mvnw replaced by a fake that records and leaves what a build leaves for the run scripts. */
  private def fakeMvnw(root: Path): Unit = {
    val record = """printf '%s %s\n' "$(basename "$0")" "$*" >> "$PADFREE_TEST_RECORD""""
    Shell.writeExecutable(root.resolve("mvnw"), record + """
      |cd "$(dirname "$0")"
      |mkdir -p spark-job/target
      |: > spark-job/target/padfree-job.jar
      |echo /nonexistent/spark-core.jar > spark-job/target/classpath.txt""".stripMargin)
  }

  private lazy val quiet: RepositoryCopy = RepositoryCopy.create(fakeMvnw)

  override def beforeAll(): Unit = makeFakes()

  override def afterAll(): Unit = {
    quiet.delete()
    PathUtils.delete(fakes)
  }

  /** What a script run left: its output, the fakes' record (empty when none ran), the files it changed
   *  in the copy (which is then restored, so one failure cannot fail the tests after it), and what it
   *  put in $OUT, $TMPDIR or $PADFREE_RT. */
  private final case class Outcome(ran: Ran, recorded: String, changes: String, scratchWrites: Seq[String]) {
    /** Nothing ran and nothing was written. */
    def assertNoWork(script: String): Unit = {
      assert(recorded.isEmpty, s"$script ran tools it should not have:\n$recorded\n$ran")
      assert(changes.isEmpty, s"$script wrote into the repository:\n$changes\n$ran")
      assert(scratchWrites.isEmpty, s"$script wrote $scratchWrites\n$ran")
    }
  }

  private def runScript(copy: RepositoryCopy, script: String, args: String*): Outcome =
    runScriptWith(Map.empty, copy, script, args)

  /** runScript with more environment variables. */
  private def runScriptWith(extraEnv: Map[String, String], copy: RepositoryCopy, script: String,
      args: Seq[String]): Outcome = {
    val scratch = Files.createTempDirectory("script-scratch")
    Seq("out", "tmp").foreach(d => Files.createDirectories(scratch.resolve(d)))
    val record = scratch.resolve("record")
    val env = Map(
      "PATH" -> s"${fakes.resolve("bin")}:/usr/bin:/bin",
      "JAVA_HOME" -> fakes.resolve("jdk").toString,
      "PADFREE_JVM_DIR" -> fakes.resolve("no-jdks").toString,
      "PADFREE_TEST_RECORD" -> record.toString,
      "OUT" -> scratch.resolve("out").toString,
      "TMPDIR" -> scratch.resolve("tmp").toString,
      "PADFREE_RT" -> scratch.resolve("rt/padfree-rt").toString,
      "SPARK_HOME" -> scratch.resolve("spark").toString) ++ extraEnv
    val ran = Shell.run(Seq("bash", copy.root.resolve(script).toString) ++ args, copy.root, env,
      unset = Seq("PADFREE_JAVA", "PADFREE_PACK_JDK", "PADFREE_MVN_OPTS", "NVIDIA_SMI"))
    val recorded = if (Files.exists(record)) Files.readString(record) else ""
    val changes = copy.changes
    if (changes.nonEmpty) copy.restore()
    val written = Seq("out", "tmp", "rt").map(scratch.resolve).filter(Files.exists(_))
      .flatMap(d => Files.walk(d).iterator.asScala.filter(_ != d).map(_.toString))
    Outcome(ran, recorded, changes, written)
  }

  test("the scripts folder is listed, with the libraries and pass-through scripts this suite names") {
    val names = scripts.map(s => s.substring(s.lastIndexOf('/') + 1)).toSet
    assert(scripts.size > 10, scripts)
    assert(libraries.subsetOf(names), s"rename in this suite too: $libraries vs $names")
    assert(passThrough.keySet.subsetOf(names), s"rename in this suite too: ${passThrough.keySet} vs $names")
  }

  for (script <- scripts) {
    val name = script.substring(script.lastIndexOf('/') + 1)

    test(s"$script --help and -h print usage on stdout and exit 0 before any work") {
      val help = runScript(quiet, script, "--help")
      val ran = help.ran
      assert(ran.status == 0, ran)
      assert(ran.out.contains("Usage:") && ran.out.contains(name), s"usage names the script\n$ran")
      assert(ran.err.isEmpty, ran)
      help.assertNoWork(script)
      val short = runScript(quiet, script, "-h")
      assert(short.ran.status == 0 && short.ran.out == ran.out, s"-h is --help\n${short.ran}")
      short.assertNoWork(script)
    }

    if (!passThrough.contains(name)) {
      test(s"$script --bogus-option exits 2 naming the option, before any work") {
        val bogus = runScript(quiet, script, "--bogus-option")
        val ran = bogus.ran
        assert(ran.status == 2, ran)
        assert(ran.err.contains(s"$name: unknown option --bogus-option (see --help)"), ran)
        assert(ran.out.isEmpty, ran)
        bogus.assertNoWork(script)
      }
    }
  }

  for ((name, job) <- passThrough) {
    test(s"scripts/$name passes --bogus-option to $job, whose exit status 2 it returns; -- --help reaches the job") {
      val copy = RepositoryCopy.create(fakeMvnw)
      try checkPassThrough(copy, name, job) finally copy.delete()
    }
  }

  private def checkPassThrough(copy: RepositoryCopy, name: String, job: String): Unit = {
    val Outcome(ran, recorded, _, _) = runScript(copy, s"scripts/$name", "--bogus-option")
    assert(ran.status == 2 && ran.err.contains("fake job: argument --bogus-option"), ran)
    val lines = recorded.linesIterator.toSeq
    assert(lines.exists(_.startsWith("mvnw ")), s"the job jar is built first\n$recorded")
    val jobLine = lines.last
    assert(jobLine.startsWith("java ") && jobLine.contains(job) && jobLine.endsWith(" --bogus-option"), recorded)

    val Outcome(help, helpRecorded, _, _) = runScript(copy, s"scripts/$name", "--", "--help")
    assert(help.status == 0, help)
    val helpLine = helpRecorded.linesIterator.toSeq.last
    assert(helpLine.startsWith("java ") && helpLine.contains(job) && helpLine.endsWith(" --help"), helpRecorded)
  }

  test("scripts/gemm-bench.sh takes every option GemmBench's --help lists and hands them all to it") {
    val out = new java.io.ByteArrayOutputStream()
    val err = new java.io.ByteArrayOutputStream()
    assert(org.padfree.bench.GemmBench.run(Array("--help"), new java.io.PrintStream(out, true, "UTF-8"),
      new java.io.PrintStream(err, true, "UTF-8")) == 0)
    // picocli's option lines: "      --block-n auto|N   description" (a flag has no parameter label)
    val listed = """(?m)^\s+(?:-h, )?(--[a-z][a-z-]*)(?: ([^\s]+))?""".r.findAllMatchIn(out.toString("UTF-8"))
      .map(m => (m.group(1), Option(m.group(2)))).toSeq.filterNot(_._1 == "--help")
    assert(listed.map(_._1).contains("--block-n") && listed.map(_._1).contains("--dry-run"), listed)
    val args = listed.flatMap {
      case (option, Some(_)) => Seq(option, "x")
      case (option, None) => Seq(option)
    } :+ "cases.yaml"
    // With PADFREE_BENCH_CLASSPATH the script builds nothing and runs java (the fake) with the arguments.
    val outcome = runScriptWith(Map("PADFREE_BENCH_CLASSPATH" -> "/nonexistent"), quiet, "scripts/gemm-bench.sh", args)
    assert(outcome.ran.status == 0, outcome.ran)
    val javaLine = outcome.recorded.linesIterator.toSeq.last
    assert(javaLine.startsWith("java ") && javaLine.endsWith("org.padfree.bench.GemmBench " + args.mkString(" ")),
      outcome.recorded)
  }

  test("sourcing lib.sh, find-jdk.sh or job-args.sh leaves the sourcing script's arguments alone") {
    for (library <- libraries.toSeq.sorted) {
      val body = s"""source "$$1"; shift; echo "sourced $$*""""
      val wrapper = Shell.writeExecutable(Files.createTempDirectory("sourcing").resolve("caller.sh"), body)
      val ran = runScript(quiet, wrapper.toString, quiet.root.resolve(s"scripts/$library").toString,
        "--bogus-option", "--help").ran
      assert(ran.status == 0 && ran.out == "sourced --bogus-option --help\n", s"$library\n$ran")
    }
  }
}
