package org.padfree.scripts

import java.nio.file.{Files, Path, Paths}
import java.nio.file.attribute.PosixFilePermissions
import org.apache.commons.io.file.PathUtils
import org.scalatest.funsuite.AnyFunSuite

/**
 * The GPU cluster scripts, without a GPU or a cluster: conf/getGpusResources.sh against fake
 * nvidia-smi programs, scripts/submit.sh's help, checks and printed command, the GPU conf files'
 * settings, and the packaging and GPU-host scripts' help and dry run.
 */
class GpuScriptsSuite extends AnyFunSuite {
  private val root: Path = Paths.get("..").toAbsolutePath.normalize

  /** Runs bash SCRIPT ARGS with extra environment (git without user or system settings); returns
   *  (exit status, stdout, stderr). */
  private def run(script: String, args: Seq[String], env: Map[String, String] = Map.empty,
      unset: Seq[String] = Seq.empty): (Int, String, String) = {
    val ran = Shell.run(Seq("bash", root.resolve(script).toString) ++ args, root, env, unset)
    (ran.status, ran.out, ran.err)
  }

  /** A folder holding an executable nvidia-smi with this body. */
  private def fakeSmi(body: String): Path = {
    val dir = Files.createTempDirectory("fake-smi")
    val smi = dir.resolve("nvidia-smi")
    Files.writeString(smi, "#!/usr/bin/env bash\n" + body + "\n")
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"))
    dir
  }

  private def pathWith(dir: Path) = Map("PATH" -> s"$dir:/usr/bin:/bin")

  test("getGpusResources.sh prints Spark's resource JSON from nvidia-smi's indices and checks the query") {
    val dir = fakeSmi("""[[ "$*" == "--query-gpu=index --format=csv,noheader" ]] || { echo "bad args: $*" >&2; exit 9; }
                        |printf '0\n1\n 2 \n3\n'""".stripMargin)
    val (rc, out, err) = run("conf/getGpusResources.sh", Nil, pathWith(dir))
    assert(rc == 0, err)
    assert(out.trim == """{"name":"gpu","addresses":["0","1","2","3"]}""")
    val json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out)
    assert(json.path("name").asText == "gpu" && json.path("addresses").size == 4)
  }

  test("getGpusResources.sh fails clearly without nvidia-smi, when it fails, or when it lists nothing") {
    val (rc, out, err) = run("conf/getGpusResources.sh", Nil, Map("PATH" -> "/usr/bin:/bin"))
    assert(rc == 1 && out.isEmpty && err.contains("nvidia-smi not found on PATH"), err)
    val broken = fakeSmi("echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver'; exit 9")
    val (rc2, _, err2) = run("conf/getGpusResources.sh", Nil, pathWith(broken))
    assert(rc2 == 1 && err2.contains("failed") && err2.contains("could not communicate"), err2)
    val none = fakeSmi("exit 0")
    val (rc3, _, err3) = run("conf/getGpusResources.sh", Nil, pathWith(none))
    assert(rc3 == 1 && err3.contains("lists no GPUs"), err3)
    val odd = fakeSmi("echo 'No devices were found'")
    val (rc4, _, err4) = run("conf/getGpusResources.sh", Nil, pathWith(odd))
    assert(rc4 == 1 && err4.contains("unexpected line"), err4)
  }

  test("the GPU conf files ask for one GPU per executor and per task, with discovery and memory settings") {
    def props(name: String): Map[String, String] = {
      val p = new java.util.Properties()
      val in = Files.newBufferedReader(root.resolve("conf").resolve(name))
      try p.load(in) finally in.close()
      import scala.jdk.CollectionConverters._
      p.asScala.toMap
    }
    for (name <- Seq("spark-gpu-standalone.conf", "spark-gpu-yarn.conf", "spark-gpu-k8s.conf")) {
      val p = props(name)
      assert(p("spark.executor.resource.gpu.amount") == "1" && p("spark.task.resource.gpu.amount") == "1", name)
      assert(p("spark.executor.cores") == "1" && p("spark.padfree.backend") == "cuda", name)
      assert(p.contains("spark.executor.memory") && p.contains("spark.executor.memoryOverhead"), name)
    }
    assert(props("spark-gpu-yarn.conf")("spark.executor.resource.gpu.discoveryScript").endsWith("getGpusResources.sh"))
    assert(props("spark-gpu-k8s.conf")("spark.executor.resource.gpu.vendor") == "nvidia.com")
    assert(props("spark-gpu-k8s.conf")("spark.executor.resource.gpu.discoveryScript").endsWith("getGpusResources.sh"))
    assert(Files.readString(root.resolve("conf/spark-gpu-standalone.conf")).contains("spark.worker.resource.gpu.discoveryScript"))
  }

  test("submit.sh --help documents masters for standalone, YARN and Kubernetes") {
    val (rc, out, _) = run("scripts/submit.sh", Seq("--help"))
    assert(rc == 0)
    for (s <- Seq("spark://", "--master yarn", "k8s://", "--gpu-conf", "--deploy-mode", "--dry-run"))
      assert(out.contains(s), s)
  }

  test("submit.sh refuses clearly without SPARK_HOME or with bad options, and prints the command it runs") {
    val (rc, _, err) = run("scripts/submit.sh", Seq("--jar", "pom.xml", "--", "--dataset", "x"), unset = Seq("SPARK_HOME"))
    assert(rc == 2 && err.contains("SPARK_HOME is not set"), err)
    val (rc2, _, err2) = run("scripts/submit.sh", Seq("--jar", "pom.xml"), env = Map("SPARK_HOME" -> "/nonexistent"))
    assert(rc2 == 2 && err2.contains("/nonexistent/bin/spark-submit not found"), err2)
    assert(run("scripts/submit.sh", Seq("--deploy-mode", "sideways"))._3.contains("expected client or cluster"))
    assert(run("scripts/submit.sh", Seq("--gpu-conf", "conf/nope.conf"))._3.contains("no such file"))
    assert(run("scripts/submit.sh", Seq("--bogus"))._3.contains("unknown option --bogus"))

    // a fake spark-submit records its arguments: the command is printed and run as printed
    val home = Files.createTempDirectory("spark-home")
    Files.createDirectories(home.resolve("bin"))
    val submit = home.resolve("bin/spark-submit")
    Files.writeString(submit, "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args\"\nexit 3\n")
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"))
    val (rc3, out3, _) = run("scripts/submit.sh", Seq("--master", "yarn", "--gpu-conf", "conf/spark-gpu-yarn.conf",
      "--conf", "spark.executor.instances=2", "--jar", "pom.xml", "--", "--dataset", "hdfs:///a b", "--out", "/r"),
      env = Map("SPARK_HOME" -> home.toString))
    assert(rc3 == 3, "the job's exit status is passed on")
    assert(out3.startsWith("submit.sh: ") && out3.contains("--properties-file conf/spark-gpu-yarn.conf"), out3)
    val args = Files.readAllLines(home.resolve("bin/args"))
    import scala.jdk.CollectionConverters._
    // the cluster's spark-defaults.conf is kept beneath the GPU conf (--load-spark-defaults)
    assert(args.asScala == Seq("--master", "yarn", "--deploy-mode", "client", "--properties-file", "conf/spark-gpu-yarn.conf",
      "--load-spark-defaults", "--conf", "spark.executor.instances=2", "--class", "org.padfree.jobs.EvaluateJob", "pom.xml",
      "--dataset", "hdfs:///a b", "--out", "/r"))
  }

  /** A part of package `id` holding `files` (name -> text) under padfree-rt/, and its PACKAGE file. */
  private def part(parts: Path, name: String, id: String, files: Map[String, String], ageSeconds: Long): Path = {
    val stage = Files.createTempDirectory("part-stage")
    Files.createDirectories(stage.resolve("padfree-rt"))
    for ((f, text) <- files + ("PACKAGE" -> s"$id\n")) Files.writeString(stage.resolve("padfree-rt").resolve(f), text)
    val tar = parts.resolve(name)
    val names = (files.keys.toSeq :+ "PACKAGE").map(f => s"padfree-rt/$f")
    val ran = Shell.run(Seq("tar", "cf", tar.toString, "-C", stage.toString) ++ names, root, Map.empty, Seq.empty)
    assert(ran.status == 0, ran.err)
    Files.setLastModifiedTime(tar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - ageSeconds * 1000))
    tar
  }

  test("gpu-spark-run.sh unpacks the newest package's parts only and removes another package's files first") {
    val parts = Files.createTempDirectory("parts")
    val rt = Files.createTempDirectory("rt-home").resolve("padfree-rt")
    val env = Map("PADFREE_RT" -> rt.toString, "PADFREE_PARTS_DIR" -> parts.toString)
    part(parts, "part1.tar", "old", Map("MANIFEST" -> "4 padfree-rt/job.jar\n", "job.jar" -> "old!"), 600)
    val (rc0, _, err0) = run("scripts/gpu-spark-run.sh", Seq("--unpack-only"), env)
    assert(rc0 == 0 && Files.readString(rt.resolve("job.jar")) == "old!", err0)
    Files.createDirectories(rt.resolve("data"))
    Files.writeString(rt.resolve("data/generated.parquet"), "kept")
    // The next package: two parts carried later; the old part1.tar stays on the host beside them.
    Files.delete(parts.resolve("part1.tar"))
    part(parts, "part9.tar", "old", Map("stale.txt" -> "from the old package"), 600)
    part(parts, "part1.tar", "new", Map("MANIFEST" -> "3 padfree-rt/piece\n"), 10)
    part(parts, "part2.tar", "new", Map("piece" -> "new"), 5)
    val (rc, out, err) = run("scripts/gpu-spark-run.sh", Seq("--unpack-only"), env)
    assert(rc == 0, err)
    assert(out.contains(s"$rt holds package old; removing its files for package new"), out)
    assert(err.contains("skipping") && err.contains("part9.tar: it belongs to package old, the newest part to new"), err)
    assert(!Files.exists(rt.resolve("job.jar")) && !Files.exists(rt.resolve("stale.txt")), "the old package's files are gone")
    assert(Files.readString(rt.resolve("piece")) == "new" && Files.readString(rt.resolve("PACKAGE")).trim == "new")
    assert(Files.readString(rt.resolve("data/generated.parquet")) == "kept", "what the package did not bring stays")
    // A runtime without a PACKAGE file (an older packing) is not ours to clear: it is left, with a warning.
    val unmarked = Files.createTempDirectory("rt-home2").resolve("padfree-rt")
    Files.createDirectories(unmarked)
    Files.writeString(unmarked.resolve("someone.txt"), "x")
    val (rc2, _, err2) = run("scripts/gpu-spark-run.sh", Seq("--unpack-only"),
      Map("PADFREE_RT" -> unmarked.toString, "PADFREE_PARTS_DIR" -> parts.toString))
    assert(rc2 == 0 && err2.contains("has no PACKAGE file") && Files.exists(unmarked.resolve("someone.txt")), err2)
  }

  test("package-spark-gpu.sh and gpu-spark-run.sh explain themselves; the package dry run lists Spark's jars only") {
    val (rc, out, _) = run("scripts/gpu-spark-run.sh", Seq("--help"))
    assert(rc == 0 && out.contains("--unpack-only") && out.contains("--gpus"), out)
    val (rc1, out1, _) = run("scripts/package-spark-gpu.sh", Seq("--help"))
    assert(rc1 == 0 && out1.contains("56 MiB") && out1.contains("--dry-run"), out1)
    if (!Files.exists(root.resolve("spark-job/target/classpath.txt"))) cancel("no spark-job/target/classpath.txt (run scripts/run-local.sh once)")
    val (rc2, out2, err2) = run("scripts/package-spark-gpu.sh", Seq("--dry-run"))
    assert(rc2 == 0, err2)
    assert(out2.contains("spark-core_2.13-4.2.0.jar") && out2.contains("--dry-run: would write"), out2)
    for (dropped <- Seq("rocksdbjni", "netty-tcnative-boringssl-static", "zookeeper", "curator", "gpu-kernels", "jcuda"))
      assert(!out2.contains(dropped), s"$dropped is not packed")
  }

  test("package-spark-gpu.sh --dry-run works in a fresh copy with an empty .git/info/exclude and no git settings") {
    // A Maven repository's worth of fake jars: the dry run lists and sizes them, it does not open them.
    val m2 = Files.createTempDirectory("fake-m2")
    val jars = Seq("org/apache/spark/spark-core_2.13/4.2.0/spark-core_2.13-4.2.0.jar",
      "org/rocksdb/rocksdbjni/9.0/rocksdbjni-9.0.jar", "org/apache/zookeeper/zookeeper/3.9.3/zookeeper-3.9.3.jar",
      "org/jcuda/jcuda/12.6.0/jcuda-12.6.0.jar", "org/padfree/gpu-kernels/0.1.0/gpu-kernels-0.1.0.jar")
      .map { j => val f = m2.resolve(j); Files.createDirectories(f.getParent); Files.write(f, new Array[Byte](1000)); f }
    val copy = RepositoryCopy.create { root =>
      Files.createDirectories(root.resolve("spark-job/target"))
      Files.writeString(root.resolve("spark-job/target/classpath.txt"), jars.mkString(":"))
      Files.write(root.resolve("spark-job/target/padfree-job.jar"), new Array[Byte](1000))
    }
    try {
      assert(Files.readString(copy.root.resolve(".git/info/exclude")).isEmpty)
      val before = copy.changes
      val javaHome = Map("JAVA_HOME" -> System.getProperty("java.home"))
      val script = copy.root.resolve("scripts/package-spark-gpu.sh").toString
      val ran = Shell.run(Seq("bash", script, "--dry-run"), copy.root, javaHome, unset = Seq("PADFREE_PACK_JDK"))
      assert(ran.status == 0, ran)
      assert(ran.out.contains("spark-core_2.13-4.2.0.jar") && ran.out.contains("--dry-run: would write"), ran)
      for (dropped <- Seq("rocksdbjni", "zookeeper", "jcuda", "gpu-kernels"))
        assert(!ran.out.contains(dropped), s"$dropped is not packed\n$ran")
      assert(copy.changes == before, "the dry run writes nothing")

      // The check it passed is real: without .carry/ in .gitignore the same copy is refused.
      val gitignore = copy.root.resolve(".gitignore")
      Files.writeString(gitignore, Files.readString(gitignore).replace(".carry/", ""))
      val refused = Shell.run(Seq("bash", script, "--dry-run"), copy.root, javaHome)
      assert(refused.status == 1 && refused.err.contains(".carry/ is not ignored by git"), refused)
    } finally {
      copy.delete()
      PathUtils.delete(m2)
    }
  }

  test("gpu-spark-run.sh --scaling-only compares runs already made, without running or needing a GPU") {
    val out = Files.createTempDirectory("scaling")
    def summary(n: Int, wall: Double, stage: Double): Unit = {
      val dir = Files.createDirectories(out.resolve(s"gpu-$n/gpu-$n"))
      Files.writeString(dir.resolve("summary.json"),
        s"""{"throughput": {"batches": 4, "tokens": 1000, "wall_seconds": $wall, "tokens_per_second": ${1000 / wall},
           | "evaluation_seconds": $stage, "tokens_per_evaluation_second": ${1000 / stage}, "planning_seconds": 1.0,
           | "placing_seconds": 0.5, "collect_seconds": 0.1},
           | "executors": [{"executor_id": "0", "gpu_uuid": "GPU-x", "rows": 8, "batches": 4, "tokens": 1000,
           |   "task_seconds": $stage, "backend_seconds": $stage, "gpu_busy_seconds": $stage,
           |   "busy_fraction": 0.9, "large_rows": 8, "large_busy_fraction": 0.9}]}""".stripMargin)
    }
    summary(1, 20.0, 18.0)
    summary(2, 11.0, 9.0)
    val (rc, printed, err) = run("scripts/gpu-spark-run.sh", Seq("--scaling-only", "--gpus", "1 2"), Map("OUT" -> out.toString))
    assert(rc == 0, err)
    assert(printed.contains("(1.82x of 1 GPU)") && printed.contains("evaluation stage 9.0 s") && printed.contains("(2.00x)"), printed)
    assert(Files.readString(out.resolve("scaling.txt")) == printed)
    val (rc2, _, err2) = run("scripts/gpu-spark-run.sh", Seq("--scaling-only"), Map("OUT" -> out.toString))
    assert(rc2 == 2 && err2.contains("--scaling-only needs --gpus"), err2)
  }
}
