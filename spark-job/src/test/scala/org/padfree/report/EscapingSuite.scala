package org.padfree.report

import org.scalatest.funsuite.AnyFunSuite
import org.padfree.render.Escaping

class EscapingSuite extends AnyFunSuite {

  test("markup escapes the five characters that end text or attributes in HTML and XML") {
    assert(Escaping.markup("""<a href="x" title='y'>&</a>""") ==
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
    assert(Escaping.markup(null) == "")
  }

  test("markup replaces characters XML forbids, keeps tabs, newlines and surrogate pairs") {
    assert(Escaping.markup("a\u0000b\u0001c\u001fd\uFFFEe") == "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe")
    assert(Escaping.markup("t\tn\nr\r") == "t\tn\nr\r")
    val rocket = new String(Character.toChars(0x1F680))
    assert(Escaping.markup("go " + rocket) == "go " + rocket, "a valid pair is kept")
    assert(Escaping.markup("x\uD800y") == "x\uFFFDy", "a lone high surrogate")
    assert(Escaping.markup("x\uDC00") == "x\uFFFD", "a lone low surrogate")
  }

  test("a Markdown cell is one line, with HTML neutralised and table and emphasis characters escaped") {
    assert(Escaping.markdownInline("a|b\nc*d_e`f[g]h\\i~j") == "a\\|b c\\*d\\_e\\`f\\[g\\]h\\\\i\\~j")
    assert(Escaping.markdownInline("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert(Escaping.markdownInline("it's \"x\"") == "it's \"x\"", "quotes mean nothing to Markdown")
    assert(Escaping.markdownInline("a & b") == "a &amp; b")
    assert(Escaping.markdownInline(null) == "")
    assert(Escaping.markdownInline("a\r\nb") == "a b")
  }
}
