package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeaderSafeTest {

    @Test
    void printableAsciiIsKept() {
        assertEquals("gpt-4o-mini", Router.headerSafe("gpt-4o-mini"));
        assertEquals("meta-llama/Llama 3.1:8b@v1", Router.headerSafe("meta-llama/Llama 3.1:8b@v1"));
    }

    @Test
    void anythingElseIsPercentEncodedAsUtf8() {
        assertEquals("%E3%83%A2%E3%83%87%E3%83%AB", Router.headerSafe("モデル"));
        assertEquals("a%0D%0Ab", Router.headerSafe("a\r\nb"));
        assertEquals("100%25", Router.headerSafe("100%"));
        assertEquals("caf%C3%A9", Router.headerSafe("café"));
    }
}
