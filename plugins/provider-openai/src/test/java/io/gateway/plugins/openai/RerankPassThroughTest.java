package io.gateway.plugins.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.JsonBodies;
import io.gateway.spi.Operation;
import io.gateway.spi.Response;
import io.gateway.spi.Secret;
import io.gateway.spi.provider.ApiKey;
import io.gateway.spi.provider.Provider;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.testkit.HttpUpstream;
import io.gateway.testkit.TestConfig;
import io.gateway.testkit.TestContext;
import io.gateway.testkit.http.FakeUpstream;
import io.gateway.testkit.http.RecordedRequest;
import io.gateway.testkit.http.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * vLLM and Together serve rerank below their {@code /v1/} base in Jina's and Cohere's shape, so their
 * presets relay it like every other operation: the client's bytes to {@code /v1/rerank}, the answer back
 * unparsed. OpenAI itself has no rerank.
 */
class RerankPassThroughTest {

    private static final String BODY = "{\"model\":\"BAAI/bge-reranker-v2-m3\", \"query\":\"capital of France\","
            + "\"documents\":[\"Berlin\",\"Paris\"],\"top_n\":1}";
    private static final String ANSWER = "{\"id\":\"rerank-1\",\"model\":\"BAAI/bge-reranker-v2-m3\","
            + "\"usage\":{\"total_tokens\":12},\"results\":[{\"index\":1,\"relevance_score\":0.98}]}";

    @Test
    void vllmRelaysRerankToItsDocumentedPath() {
        try (FakeUpstream vllm = FakeUpstream.start(); HttpUpstream upstream = HttpUpstream.create()) {
            vllm.on("POST", "/v1/rerank").respond(Reply.json(200, ANSWER));
            Provider provider = new OpenAiPlugin().providerFactories().stream().filter(f -> f.type().equals("vllm"))
                    .findFirst().orElseThrow().create(TestConfig.provider("local", Map.of("base-url",
                            vllm.baseUrl() + "/v1")), TestContext.with(upstream));
            assertTrue(provider.operations().contains(Operation.RERANK));

            byte[] raw = BODY.getBytes(StandardCharsets.UTF_8);
            Response response = provider.call(ProviderCall.builder(Operation.RERANK, JsonBodies.parse(BODY))
                    .model("BAAI/bge-reranker-v2-m3").rawBody(raw).key(ApiKey.of("none", Secret.empty())).build());

            Response.Complete complete = assertInstanceOf(Response.Complete.class, response);
            assertTrue(complete.isRelayed(), "the answer is relayed, not parsed and rewritten");
            assertEquals(ANSWER, new String(complete.bytes(), StandardCharsets.UTF_8));
            RecordedRequest sent = vllm.lastRequest();
            assertEquals("/v1/rerank", sent.path());
            assertArrayEquals(raw, sent.body(), "the client's own bytes");
        }
    }

    @Test
    void openAiAndPresetsWithoutRerankDoNotClaimIt() {
        for (Preset preset : Preset.ALL) {
            boolean reranks = preset.type().equals("vllm") || preset.type().equals("together");
            assertEquals(reranks, preset.operations().contains(Operation.RERANK), preset.type());
        }
        assertFalse(Preset.OPENAI.operations().contains(Operation.RERANK));
    }
}
