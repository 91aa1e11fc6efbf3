package io.gateway.plugins.openai;

import io.gateway.spi.Operation;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A named flavour of the OpenAI API: the type name, the default base URL, and the operations the
 * service offers (an operation it lacks answers 400 without an upstream call). docs/providers.md
 * lists each service's quirks.
 *
 * @param type           the provider type in configuration
 * @param defaultBaseUrl the base URL used when {@code base-url} is not set, or {@code null} to require it
 * @param operations     the operations the service offers
 */
record Preset(String type, String defaultBaseUrl, Set<Operation> operations) {

    private static final Operation CHAT = Operation.CHAT_COMPLETION;
    private static final Operation TEXT = Operation.TEXT_COMPLETION;
    private static final Operation RESPONSES = Operation.RESPONSES;
    private static final Operation EMBED = Operation.EMBEDDING;
    private static final Operation IMAGES = Operation.IMAGE_GENERATION;
    private static final Operation MODELS = Operation.LIST_MODELS;
    /** {@code POST rerank}, Jina's and Cohere's shape, which vLLM and Together serve below {@code /v1/}. */
    private static final Operation RERANK = Operation.RERANK;

    /** OpenAI itself: every operation of the OpenAI API the gateway serves. */
    static final Preset OPENAI = new Preset("openai", "https://api.openai.com/v1",
            EnumSet.of(CHAT, TEXT, RESPONSES, EMBED, IMAGES, MODELS));

    /** The OpenAI-compatible services with their own type names; each stays overridable by base-url. */
    static final List<Preset> ALL = List.of(
            OPENAI,
            new Preset("groq", "https://api.groq.com/openai/v1", EnumSet.of(CHAT, RESPONSES, MODELS)),
            new Preset("mistral", "https://api.mistral.ai/v1", EnumSet.of(CHAT, EMBED, MODELS)),
            new Preset("deepseek", "https://api.deepseek.com/v1", EnumSet.of(CHAT, MODELS)),
            new Preset("together", "https://api.together.xyz/v1", EnumSet.of(CHAT, TEXT, EMBED, IMAGES, MODELS, RERANK)),
            new Preset("fireworks", "https://api.fireworks.ai/inference/v1", EnumSet.of(CHAT, TEXT, EMBED, MODELS)),
            new Preset("openrouter", "https://openrouter.ai/api/v1", EnumSet.of(CHAT, TEXT, RESPONSES, MODELS)),
            new Preset("xai", "https://api.x.ai/v1", EnumSet.of(CHAT, RESPONSES, IMAGES, MODELS)),
            new Preset("perplexity", "https://api.perplexity.ai", EnumSet.of(CHAT)),
            new Preset("cerebras", "https://api.cerebras.ai/v1", EnumSet.of(CHAT, TEXT, MODELS)),
            new Preset("ollama", "http://127.0.0.1:11434/v1", EnumSet.of(CHAT, TEXT, EMBED, MODELS)),
            new Preset("vllm", "http://127.0.0.1:8000/v1", EnumSet.of(CHAT, TEXT, EMBED, RESPONSES, MODELS, RERANK)),
            new Preset("lmstudio", "http://127.0.0.1:1234/v1", EnumSet.of(CHAT, TEXT, EMBED, RESPONSES, MODELS)));

    Preset {
        operations = Set.copyOf(operations);
    }
}
