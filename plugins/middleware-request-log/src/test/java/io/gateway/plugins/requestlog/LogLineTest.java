package io.gateway.plugins.requestlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LogLineTest {

    @Test
    void leavesPlainValuesBareAndQuotesTheRest() {
        String line = new LogLine()
                .add("a", "plain-value_1.2/x")
                .add("b", "two words")
                .add("c", "")
                .add("d", "k=v")
                .add("e", "say \"hi\" \\ there")
                .add("f", 42)
                .add("g", true)
                .toString();

        assertEquals("a=plain-value_1.2/x b=\"two words\" c=\"\" d=\"k=v\" e=\"say \\\"hi\\\" \\\\ there\" f=42 g=true",
                line);
    }

    @Test
    void escapesControlCharactersSoEverythingStaysOnOneLine() {
        String value = "a\nb\rc\td\u0000e\u2028f";
        String line = new LogLine().add("v", value).toString();

        assertFalse(line.chars().anyMatch(c -> c < ' ' || c == '\u2028'), line);
        assertEquals(value, KeyValues.parse(line).get("v"));
    }
}
