package org.padfree.commands

import java.util.{ArrayList => JList}
import org.padfree.InvalidInputException
import org.scalatest.funsuite.AnyFunSuite
import picocli.CommandLine.{Command, Option => Opt}

/** The one picocli set-up every command line shares: forms, defaults, lists, flags and the error wording. */
class CommandLinesSuite extends AnyFunSuite {
  @Command(name = "demo")
  class Demo {
    @Opt(names = Array("--count"), paramLabel = "N", defaultValue = "3", description = Array("how many (default: ${DEFAULT-VALUE})"))
    var count: Int = 0
    @Opt(names = Array("--name"), paramLabel = "TEXT", description = Array("a name"))
    var name: String = null
    @Opt(names = Array("--item"), paramLabel = "X", description = Array("repeatable"))
    var items: JList[String] = new JList[String]()
    @Opt(names = Array("--force"), arity = "0..1", fallbackValue = "true", paramLabel = "true|false", description = Array("a flag"))
    var force: Boolean = false
    @Opt(names = Array("--help"), usageHelp = true, description = Array("this text"))
    var help: Boolean = false
  }

  private def parseWith(defaults: String => String, args: String*): Demo =
    CommandLines.parse(new Demo, (o: String) => defaults(o), args: _*)
  private def parse(args: String*): Demo = parseWith(_ => null, args: _*)
  private def error(args: String*): InvalidInputException = intercept[InvalidInputException](parse(args: _*))

  test("--name value and --name=value; the last value wins; list options collect every value") {
    val d = parse("--name", "a", "--name=b", "--item", "x", "--item=y,z", "--count=7")
    assert(d.name == "b" && d.count == 7)
    assert(Values.items(d.items) == java.util.List.of("x", "y", "z"))
  }

  test("flags: bare, =true and =false; --help is recorded, not an error") {
    assert(parse("--force").force && parse("--force=true").force && !parse("--force=false").force && !parse().force)
    assert(parse("--help").help)
  }

  test("defaults: the annotation's, replaced by the provider's, replaced by the command line") {
    assert(parse().count == 3)
    val fromConf: String => String = o => if (o == "--count") "5" else null
    assert(parseWith(fromConf).count == 5 && parseWith(fromConf, "--count", "9").count == 9)
  }

  test("every error names the option as typed, the value and why") {
    val unknown = error("--cuont", "1")
    assert(unknown.field == "argument" && unknown.value == "--cuont" && unknown.getMessage.contains("unknown option"))
    val stray = error("stray")
    assert(stray.field == "argument" && stray.getMessage.contains("expected an --option"))
    val missing = error("--name")
    assert(missing.field == "--name" && missing.getMessage.contains("needs a value"))
    val notInt = error("--count", "many")
    assert(notInt.getMessage == "invalid --count = many: not an integer", notInt.getMessage)
    assert(error("--force=maybe").getMessage == "invalid --force = maybe: expected true or false")
    assert(intercept[InvalidInputException](parseWith(o => if (o == "--count") "x" else null)).field == "--count")
  }

  test("usage: generated from the options, written --option VALUE, defaults filled in") {
    val usage = CommandLines.usage(new Demo, _ => null)
    assert(usage.contains("--count N") && usage.contains("how many (default: 3)") && usage.contains("--force[=true|false]"))
    assert(!usage.linesIterator.exists(_.trim.startsWith("--count=N")), usage) // the option list; a synopsis may say --count=N
    assert(CommandLines.usage(new Demo, o => if (o == "--count") "8" else null).contains("(default: 8)"))
  }
}
