package io.gateway.plugins.bedrock;

import io.gateway.spi.EventStream;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.json.Json;
import io.gateway.toolkit.upstream.Answer;
import jakarta.json.JsonObject;

/**
 * {@code responses} through Converse ({@link ResponsesRequests}); the answer becomes a Response object
 * with message and function call items ({@link ResponseOutput}), a stream the Responses API's named
 * events ({@link ResponsesStream}). Stateless.
 */
final class Responses {

    private Responses() {
    }

    static Response call(BedrockCalls calls, ProviderCall call) {
        JsonObject request = ResponsesRequests.toConverse(call.body());
        if (call.stream()) {
            Answer<EventStream> events = calls.stream(call, calls.model(call, "converse-stream"), request);
            return new Response.Streaming(200, events.headers(), new ResponsesStream(events.body(),
                    new ResponseOutput(BedrockCalls.id("resp_", events.headers())), call.body(), call.model(),
                    calls.now()));
        }
        Answer<JsonObject> answer = calls.post(call, calls.model(call, "converse"), request);
        ResponseOutput output = new ResponseOutput(BedrockCalls.id("resp_", answer.headers()));
        JsonObject converse = answer.body();
        output.addContent(Json.arrayField(Json.objectField(Json.objectField(converse, "output"), "message"),
                "content"));
        output.stopReason(Json.text(converse, "stopReason"));
        output.usage(Usage.of(Json.objectField(converse, "usage")));
        return Response.Complete.of(200, answer.headers(), output.finalResponse(call.body(), call.model(),
                calls.now()));
    }
}
