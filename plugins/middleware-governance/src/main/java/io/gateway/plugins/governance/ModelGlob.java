package io.gateway.plugins.governance;

/**
 * A pattern over qualified model names ({@code provider/model}) in which {@code *} stands for any
 * run of characters, {@code /} included, anywhere in the pattern. Matching is case-sensitive, as
 * provider and model names are.
 *
 * @param pattern the pattern as configured
 */
record ModelGlob(String pattern) {

    /** Allows every model. */
    static final ModelGlob ANY = new ModelGlob("*");

    /**
     * Whether a qualified model name matches.
     *
     * <p>The classic linear matcher: on a mismatch after a {@code *}, let that star swallow one more
     * character and retry from there. No regular expression, so a pattern from configuration can never
     * be read as anything but literal text and stars.
     *
     * @param model {@code provider/model}
     * @return {@code true} if it matches
     */
    boolean matches(String model) {
        int p = 0;
        int m = 0;
        int star = -1;
        int resume = 0;
        while (m < model.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = m;
            } else if (p < pattern.length() && pattern.charAt(p) == model.charAt(m)) {
                p++;
                m++;
            } else if (star >= 0) {
                p = star + 1;
                m = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }

    @Override
    public String toString() {
        return pattern;
    }
}
