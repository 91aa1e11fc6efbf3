package io.gateway.toolkit.openai;

import io.gateway.spi.GatewayException;
import io.gateway.spi.MultipartForm;
import io.gateway.spi.Response;
import io.gateway.spi.provider.ProviderCall;
import io.gateway.toolkit.upstream.UpstreamCalls;
import java.net.URI;

/**
 * One call to an API that speaks OpenAI's wire format (OpenAI, Azure OpenAI, compatible servers),
 * made the way each operation needs: the HTTP method, the body (JSON, the multipart form, none), what
 * the request accepts, and how the answer is relayed — JSON unparsed, events as they arrive, and bytes
 * that are not JSON (speech audio, a file's content, text transcripts) streamed through. The provider
 * says where the call goes ({@code uri}) and what body it sends; this does the rest. Stateless.
 */
public final class OpenAiRoutes {

    private OpenAiRoutes() {
    }

    /**
     * Performs a call.
     *
     * @param call     the call
     * @param upstream the provider's call skeleton
     * @param uri      where the call goes (with the id and query for file and batch operations)
     * @param json     the JSON body for operations that send one ({@link ProviderCall#bodyBytes()}
     *                 unless the provider changed it); ignored otherwise
     * @param form     the form for operations that send one ({@link ProviderCall#form()} unless the
     *                 provider changed it); ignored otherwise
     * @return the response
     * @throws GatewayException the upstream's error, or 400 for a form operation without a form
     */
    public static Response relay(ProviderCall call, UpstreamCalls upstream, URI uri, byte[] json,
                                 MultipartForm form) {
        return switch (call.operation()) {
            case LIST_MODELS, FILE_LIST, FILE_RETRIEVE, BATCH_LIST, BATCH_RETRIEVE ->
                    upstream.relay(upstream.get(call, uri));
            case FILE_DELETE -> upstream.relay(upstream.bodiless(call, "DELETE", uri));
            case BATCH_CANCEL -> upstream.relay(upstream.bodiless(call, "POST", uri));
            case FILE_CONTENT -> upstream.relayBytes(upstream.download(call, uri));
            case SPEECH -> upstream.relayAny(upstream.postForAudio(call, uri, json));
            case TRANSCRIPTION, TRANSLATION, IMAGE_EDIT, IMAGE_VARIATION, FILE_UPLOAD -> {
                if (form == null) {
                    throw GatewayException.invalidRequest(call.operation().wireName() + " needs a multipart form",
                            null);
                }
                yield upstream.relayAny(upstream.form(call, uri, form));
            }
            default -> upstream.relay(upstream.post(call, uri, json));
        };
    }
}
