package io.gateway.server.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelSpliceTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String splice(String body, String model) {
        byte[] out = ModelSplice.replaceModel(utf8(body), model);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void replacesOnlyTheTopLevelModelValue() {
        assertEquals("{\"model\":\"gpt-4o\",\"x\":1}", splice("{\"model\":\"openai/gpt-4o\",\"x\":1}", "gpt-4o"));
        assertEquals("{\"a\":{\"model\":\"keep\"},\"b\":[\"model\",{\"model\":1}], \"model\" : \"m\" }",
                splice("{\"a\":{\"model\":\"keep\"},\"b\":[\"model\",{\"model\":1}], \"model\" : \"p/m\" }", "m"));
        assertEquals("{\"s\":\"a \\\" } , \\\\\",\"model\":\"m\"}",
                splice("{\"s\":\"a \\\" } , \\\\\",\"model\":\"p/x\"}", "m"));
    }

    @Test
    void escapesTheNewValue() {
        String out = splice("{\"model\":\"p/m\"}", "we\"ird\\name\n");
        assertEquals("{\"model\":\"we\\\"ird\\\\name\\u000a\"}", out);
        assertEquals("we\"ird\\name\n", JsonBodies.parse(out).getString("model"));
    }

    @Test
    void fallsBackWhenItCannotBeSure() {
        assertNull(splice("{\"x\":1}", "m"), "no model");
        assertNull(splice("{\"model\":\"a\",\"model\":\"b\"}", "m"), "duplicate key");
        assertNull(splice("{\"mod\\u0065l\":\"a\"}", "m"), "escaped key");
        assertNull(splice("{\"model\":7}", "m"), "not a string");
        assertNull(splice("[1]", "m"), "not an object");
        assertNull(splice("{\"model\":\"a\"", "m"), "truncated");
    }

    @Test
    void forwardBodyCarriesTheSplicedBytesOnlyWhenNothingElseChanges() {
        byte[] raw = utf8("{ \"model\": \"openai/gpt-4o\", \"temperature\": 1.0 }");
        ForwardBody.Forwarded forwarded = ForwardBody.forward(JsonBodies.parse(raw), raw, "gpt-4o");
        assertArrayEquals(utf8("{ \"model\": \"gpt-4o\", \"temperature\": 1.0 }"), forwarded.raw());
        assertEquals("gpt-4o", forwarded.body().getString("model"));
        assertEquals(JsonBodies.parse(forwarded.raw()), forwarded.body());

        byte[] withFallbacks = utf8("{\"model\":\"openai/gpt-4o\",\"fallbacks\":[\"a/b\"],\"n\":1.0}");
        ForwardBody.Forwarded rebuilt = ForwardBody.forward(JsonBodies.parse(withFallbacks), withFallbacks, "gpt-4o");
        assertNull(rebuilt.raw());
        assertFalse(rebuilt.body().containsKey("fallbacks"));
        assertTrue(new String(JsonBodies.toBytes(rebuilt.body()), StandardCharsets.UTF_8)
                .contains("\"model\":\"gpt-4o\""));

        assertNull(ForwardBody.forward(JsonBodies.parse(raw), null, "gpt-4o").raw(), "no client bytes, no raw body");
    }
}
