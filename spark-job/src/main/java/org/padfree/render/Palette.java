package org.padfree.render;

/** The charts' colours: Okabe-Ito, distinguishable with the common colour-vision deficiencies. */
public final class Palette {
  private Palette() {}

  private static final String[] COLOURS = {"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"};

  /** The {@code i}-th colour, repeating past the end. */
  public static String colour(int i) {
    return COLOURS[Math.floorMod(i, COLOURS.length)];
  }

  /** How many distinct colours there are. */
  public static int size() {
    return COLOURS.length;
  }
}
