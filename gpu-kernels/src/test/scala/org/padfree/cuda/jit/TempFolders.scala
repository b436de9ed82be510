package org.padfree.cuda.jit

import java.nio.file.{Files, Path}
import scala.collection.mutable.ArrayBuffer
import scala.jdk.CollectionConverters._
import scala.util.Using
import org.apache.commons.io.file.PathUtils
import org.scalatest.{BeforeAndAfterAll, Suite}

/** Temporary folders under java.io.tmpdir (the build's target/), deleted when the suite ends. */
trait TempFolders extends BeforeAndAfterAll { this: Suite =>
  private val created = ArrayBuffer.empty[Path]

  def newTempDir(prefix: String): Path = synchronized {
    val dir = Files.createTempDirectory(s"padfree-test-$prefix-")
    created += dir
    dir
  }

  override protected def afterAll(): Unit = {
    try synchronized(created.foreach(dir => PathUtils.delete(dir)))
    finally super.afterAll()
  }
}

object TempFolders {
  /** Every path under `root` whose name starts with '.', i.e. a temporary file or folder left behind. */
  def hiddenUnder(root: Path): Seq[Path] =
    Using.resource(Files.walk(root)) { paths =>
      paths.iterator.asScala.filter(p => p != root && p.getFileName.toString.startsWith(".")).toSeq
    }
}
