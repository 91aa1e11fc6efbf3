package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HeaderSafeTest {

    @Test
    void printableAsciiIsKept() {
        assertEquals("gpt-4o-mini", AnswerWriter.headerSafe("gpt-4o-mini"));
        assertEquals("meta-llama/Llama 3.1:8b@v1", AnswerWriter.headerSafe("meta-llama/Llama 3.1:8b@v1"));
    }

    @Test
    void anythingElseIsPercentEncodedAsUtf8() {
        assertEquals("%E3%83%A2%E3%83%87%E3%83%AB", AnswerWriter.headerSafe("モデル"));
        assertEquals("a%0D%0Ab", AnswerWriter.headerSafe("a\r\nb"));
        assertEquals("100%25", AnswerWriter.headerSafe("100%"));
        assertEquals("caf%C3%A9", AnswerWriter.headerSafe("café"));
    }
}
