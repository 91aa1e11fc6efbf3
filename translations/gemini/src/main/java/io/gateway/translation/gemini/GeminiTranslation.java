package io.gateway.translation.gemini;

import io.gateway.spi.GatewayException;
import io.gateway.spi.Headers;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.upstream.HeaderRelay;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.regex.Pattern;

/**
 * OpenAI's operations on a Gemini model, for every provider that serves Gemini models (the Gemini API's
 * {@code gemini} and Vertex AI's {@code vertex}): each entry point translates the call's OpenAI body into
 * Gemini's, sends it through the provider's {@link GeminiTransport}, and translates the answer or stream
 * back. Stateless and thread-safe.
 *
 * <p>What is translated how, and what answers 400, is documented on the provider pages
 * (docs/providers.md): chat completions and Responses (system, turns, images, files, audio, tools and
 * tool calls with their thought signatures, structured output, sampling), images through
 * {@code generateContent} with image output, and embeddings through {@code embedContent} /
 * {@code batchEmbedContents}. Errors in Google's {@code {"error":{code,message,status}}} shape are read
 * by {@link #error}.
 */
public final class GeminiTranslation {

    /**
     * The thought signature a function call carries when the client sent it back without its own: Google's
     * documented placeholder, which Gemini 3 models accept in place of a real signature.
     */
    public static final String UNSIGNED_THOUGHT_SIGNATURE = Conversation.UNSIGNED;

    /** Which upstream response headers reach the client: rate limits and retry hints. */
    public static final HeaderRelay RELAY = GeminiErrors.RELAY;

    /** A bare model id ({@code gemini-2.5-flash}); resource names ({@code models/…}) are accepted too. */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private GeminiTranslation() {
    }

    /**
     * {@code chat/completions} through {@code generateContent}, or {@code streamGenerateContent} with
     * {@code alt=sse} for streams.
     *
     * @param transport where the call goes
     * @param call      the attempt
     * @return a complete {@code chat.completion}, or a stream of {@code chat.completion.chunk}s
     * @throws GatewayException 400 for what Gemini cannot take, or the upstream's error
     */
    public static Response chat(GeminiTransport transport, ProviderCall call) {
        return ChatCompletions.call(transport, call);
    }

    /**
     * {@code responses} through {@code generateContent} (or its stream). Gemini keeps no conversations:
     * {@code previous_response_id} and {@code conversation} answer 400.
     *
     * @param transport where the call goes
     * @param call      the attempt
     * @return a Response object, or the Responses API's named events
     * @throws GatewayException 400 for what Gemini cannot take, or the upstream's error
     */
    public static Response responses(GeminiTransport transport, ProviderCall call) {
        return Responses.call(transport, call);
    }

    /**
     * {@code images/generations} through {@code generateContent} with image output; never streamed.
     *
     * @param transport where the call goes
     * @param call      the attempt
     * @return the images as {@code b64_json}
     * @throws GatewayException 400 for a stream, URLs or a bad size, or the upstream's error
     */
    public static Response images(GeminiTransport transport, ProviderCall call) {
        return Images.call(transport, call);
    }

    /**
     * {@code embeddings} through the Gemini API's {@code embedContent} (one string) or
     * {@code batchEmbedContents} (an array).
     *
     * @param transport where the call goes
     * @param call      the attempt
     * @return OpenAI's embedding list
     * @throws GatewayException 400 for token-id input, or the upstream's error
     */
    public static Response embeddings(GeminiTransport transport, ProviderCall call) {
        return Embeddings.call(transport, call);
    }

    /**
     * Reads and checks an OpenAI embeddings request (text input only, {@code dimensions},
     * {@code encoding_format} {@code float} or {@code base64}), for a provider that sends it to another
     * embedding API of Google's (Vertex AI's {@code predict}).
     *
     * @param body the OpenAI body
     * @return what it asks for
     * @throws GatewayException 400 naming the field
     */
    public static EmbeddingInput embeddingInput(JsonObject body) {
        return Embeddings.input(body);
    }

    /**
     * OpenAI's embedding list for vectors in input order: floats as the upstream sent them, or base64 of
     * little-endian float32 values.
     *
     * @param vectors the vectors, one per input, each a JSON array of numbers
     * @param input   what the request asked for
     * @param model   the model to name
     * @param tokens  the input tokens the upstream counted (0 when it counted none)
     * @return {@code {"object":"list","data":[…],"model","usage"}}
     * @throws GatewayException 502 for a vector that holds something other than numbers
     */
    public static JsonObject embeddingList(List<JsonArray> vectors, EmbeddingInput input, String model, long tokens) {
        return Embeddings.list(vectors, input.base64(), model, tokens);
    }

    /**
     * Gemini's error answer ({@code {"error":{"code","message","status","details"}}}) as the exception the
     * client sees: the upstream status, the OpenAI type for Google's canonical status, that status as
     * {@code error.code}, and {@code retry-after} from a {@code RetryInfo} detail. Usable as the
     * toolkit's {@link io.gateway.toolkit.upstream.ErrorParser}.
     *
     * @param status  the HTTP status
     * @param body    the body, possibly empty or not JSON
     * @param headers the relayed headers
     * @return the exception to throw
     */
    public static GatewayException error(int status, byte[] body, Headers headers) {
        return GeminiErrors.toException(status, body, headers);
    }

    /**
     * The bare id of a model the client named, checked so that it cannot change the request path:
     * {@code gemini-2.5-flash} and {@code models/gemini-2.5-flash} both give {@code gemini-2.5-flash}.
     *
     * @param model the model as the client named it
     * @return the id
     * @throws GatewayException 400 for a missing model or one that is not a plain id
     */
    public static String modelId(String model) {
        String resource = resource(model);
        return resource.substring(resource.indexOf('/') + 1);
    }

    /**
     * The Gemini API's resource name of a model: {@code models/gemini-2.5-flash}, or
     * {@code tunedModels/…} for a tuned model. Ids that would change the request path answer 400 instead
     * of reaching another endpoint.
     *
     * @param model the model as the client named it
     * @return the resource name
     * @throws GatewayException 400 for a missing model or one that is not a plain id
     */
    public static String resource(String model) {
        if (model == null || model.isBlank()) {
            throw GatewayException.invalidRequest("'model' is required", "model");
        }
        String id = model;
        String collection = "models/";
        if (model.startsWith("models/")) {
            id = model.substring("models/".length());
        } else if (model.startsWith("tunedModels/")) {
            id = model.substring("tunedModels/".length());
            collection = "tunedModels/";
        }
        if (!MODEL_ID.matcher(id).matches()) {
            throw GatewayException.invalidRequest("'" + model + "' is not a Gemini model name", "model");
        }
        return collection + id;
    }
}
