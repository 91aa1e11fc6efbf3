package io.gateway.server.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps metric labels made from model names bounded: model names come from clients, and every
 * distinct label value is a new time series. A model becomes a label value once an upstream answered
 * it successfully (an attacker's invented names never do), up to {@link #MAX} models; every other
 * name is reported as {@link #OTHER}. Thread-safe.
 */
public final class ModelLabels {

    /** The label value of models that are not (yet) known. */
    public static final String OTHER = "_OTHER";
    /** The most distinct models with a label of their own. */
    static final int MAX = 500;

    private final Set<String> known = ConcurrentHashMap.newKeySet();

    /**
     * Admits a model that an upstream answered successfully.
     *
     * @param provider the provider name
     * @param model    the bare model
     */
    public void answered(String provider, String model) {
        String key = provider + '/' + model;
        if (known.size() < MAX && !known.contains(key)) {
            known.add(key);
        }
    }

    /**
     * The label value of a model.
     *
     * @param provider the provider name
     * @param model    the bare model
     * @return the model, or {@link #OTHER}
     */
    public String label(String provider, String model) {
        return model != null && known.contains(provider + '/' + model) ? model : OTHER;
    }
}
