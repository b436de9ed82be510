package org.padfree.render;

/**
 * The stylesheet every padfree HTML page shares (the evaluation, sweep and capacity reports), inlined
 * so a report is one self-contained file.
 */
public final class PageStyle {
  private PageStyle() {}

  public static final String CSS = """
      :root { color-scheme: light; }
      body { margin: 0; background: #f6f7f9; color: #222; font: 15px/1.5 system-ui, -apple-system,
             "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
      main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
      h1 { font-size: 26px; margin: 8px 0 4px; }
      h1 .run { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 500; }
      h2 { font-size: 19px; margin: 32px 0 10px; border-bottom: 1px solid #dde1e6; padding-bottom: 4px; }
      .verdict { font-weight: 600; padding: 8px 12px; border-radius: 6px; display: inline-block; }
      .verdict.pass { background: #e6f4ea; color: #1e5631; }
      .verdict.fail { background: #fdecea; color: #8a1c13; }
      .notes { background: #fff8e1; border: 1px solid #f0c36d; border-left: 6px solid #e0a800;
               border-radius: 6px; padding: 10px 18px; margin: 18px 0; }
      .notes h2 { border: 0; margin: 4px 0; font-size: 16px; }
      .notes ul { margin: 4px 0 6px; padding-left: 20px; }
      table { border-collapse: collapse; background: #fff; font-size: 13px; }
      th, td { padding: 5px 9px; border: 1px solid #dde1e6; text-align: left; vertical-align: top; }
      th { background: #eef1f5; font-weight: 600; }
      td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      tr.total td { font-weight: 700; background: #f3f6fa; }
      table.facts th { width: 16em; }
      .scroll { overflow-x: auto; }
      .legend { color: #555; font-size: 13px; max-width: 900px; }
      figure { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 12px;
               margin: 0 0 18px; overflow-x: auto; }
      figcaption { color: #555; font-size: 13px; margin-top: 6px; }
      svg { max-width: 100%; height: auto; }
      code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      pre { background: #fff; border: 1px solid #dde1e6; border-radius: 6px; padding: 10px 14px;
            overflow-x: auto; font-size: 13px; }
      td.error { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px;
                 word-break: break-word; max-width: 640px; }
      """;
}
