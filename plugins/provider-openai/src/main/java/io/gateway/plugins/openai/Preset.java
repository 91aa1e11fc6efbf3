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
    private static final Set<Operation> AUDIO_IN = EnumSet.of(Operation.TRANSCRIPTION, Operation.TRANSLATION);
    private static final Set<Operation> FILES_AND_BATCHES = EnumSet.of(Operation.FILE_UPLOAD, Operation.FILE_LIST,
            Operation.FILE_RETRIEVE, Operation.FILE_CONTENT, Operation.FILE_DELETE, Operation.BATCH_CREATE,
            Operation.BATCH_LIST, Operation.BATCH_RETRIEVE, Operation.BATCH_CANCEL);

    /** OpenAI itself: every operation of its API the gateway serves, named one by one. */
    static final Preset OPENAI = new Preset("openai", "https://api.openai.com/v1", union(
            EnumSet.of(CHAT, TEXT, RESPONSES, EMBED, IMAGES, MODELS, Operation.SPEECH, Operation.IMAGE_EDIT,
                    Operation.IMAGE_VARIATION, Operation.MODERATION), AUDIO_IN, FILES_AND_BATCHES));

    /** The OpenAI-compatible services with their own type names; each stays overridable by base-url. */
    static final List<Preset> ALL = List.of(
            OPENAI,
            new Preset("groq", "https://api.groq.com/openai/v1", union(EnumSet.of(CHAT, RESPONSES, MODELS,
                    Operation.SPEECH), AUDIO_IN, FILES_AND_BATCHES)),
            new Preset("mistral", "https://api.mistral.ai/v1", EnumSet.of(CHAT, EMBED, MODELS)),
            new Preset("deepseek", "https://api.deepseek.com/v1", EnumSet.of(CHAT, MODELS)),
            new Preset("together", "https://api.together.xyz/v1", union(EnumSet.of(CHAT, TEXT, EMBED, IMAGES, MODELS,
                    RERANK, Operation.SPEECH), AUDIO_IN)),
            new Preset("fireworks", "https://api.fireworks.ai/inference/v1", EnumSet.of(CHAT, TEXT, EMBED, MODELS)),
            new Preset("openrouter", "https://openrouter.ai/api/v1", EnumSet.of(CHAT, TEXT, RESPONSES, MODELS)),
            new Preset("xai", "https://api.x.ai/v1", EnumSet.of(CHAT, RESPONSES, IMAGES, MODELS)),
            new Preset("perplexity", "https://api.perplexity.ai", EnumSet.of(CHAT)),
            new Preset("cerebras", "https://api.cerebras.ai/v1", EnumSet.of(CHAT, TEXT, MODELS)),
            new Preset("ollama", "http://127.0.0.1:11434/v1", EnumSet.of(CHAT, TEXT, EMBED, MODELS)),
            new Preset("vllm", "http://127.0.0.1:8000/v1", union(EnumSet.of(CHAT, TEXT, EMBED, RESPONSES, MODELS,
                    RERANK), AUDIO_IN)),
            new Preset("lmstudio", "http://127.0.0.1:1234/v1", EnumSet.of(CHAT, TEXT, EMBED, RESPONSES, MODELS)));

    Preset {
        operations = Set.copyOf(operations);
    }

    @SafeVarargs
    private static Set<Operation> union(Set<Operation>... sets) {
        Set<Operation> all = EnumSet.noneOf(Operation.class);
        for (Set<Operation> set : sets) {
            all.addAll(set);
        }
        return all;
    }
}
