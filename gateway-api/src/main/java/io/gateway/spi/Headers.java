package io.gateway.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Immutable HTTP headers with case-insensitive names.
 *
 * <p>Names are stored in lower case; values keep their order. Instances are thread-safe. Use
 * {@link #builder()} to create them, or {@link #with(String, String)} / {@link #without(String)}
 * to derive a changed copy.
 */
public final class Headers {

    private static final Headers EMPTY = new Headers(Map.of());

    private final Map<String, List<String>> values;

    private Headers(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * No headers.
     *
     * @return the empty instance
     */
    public static Headers empty() {
        return EMPTY;
    }

    /**
     * Headers from a map of names to values; names are folded to lower case, repeated names merge.
     *
     * @param map the source, not {@code null}
     * @return immutable headers
     */
    public static Headers of(Map<String, ? extends List<String>> map) {
        Builder builder = builder();
        map.forEach((name, list) -> list.forEach(value -> builder.add(name, value)));
        return builder.build();
    }

    /**
     * Headers from alternating names and values: {@code of("a", "1", "b", "2")}.
     *
     * @param namesAndValues an even number of strings
     * @return immutable headers
     */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder builder = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            builder.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return builder.build();
    }

    /**
     * A new builder.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The first value of a header.
     *
     * @param name case-insensitive name
     * @return the first value, or empty if absent
     */
    public Optional<String> first(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    /**
     * All values of a header, in order.
     *
     * @param name case-insensitive name
     * @return the values, empty if absent
     */
    public List<String> all(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null ? List.of() : list;
    }

    /**
     * Whether a header is present.
     *
     * @param name case-insensitive name
     * @return {@code true} if it has at least one value
     */
    public boolean contains(String name) {
        return values.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The lower-case names present.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        return values.keySet();
    }

    /**
     * Calls {@code action} once per name with all its values.
     *
     * @param action receives the lower-case name and its values
     */
    public void forEach(BiConsumer<String, List<String>> action) {
        values.forEach(action);
    }

    /**
     * Whether there are no headers.
     *
     * @return {@code true} if empty
     */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /**
     * A copy with {@code name} set to the single {@code value}, replacing earlier values.
     *
     * @param name  header name
     * @param value header value
     * @return a new instance
     */
    public Headers with(String name, String value) {
        return toBuilder().set(name, value).build();
    }

    /**
     * A copy without {@code name}.
     *
     * @param name header name
     * @return a new instance, or this one if the header was absent
     */
    public Headers without(String name) {
        if (!contains(name)) {
            return this;
        }
        return toBuilder().remove(name).build();
    }

    /**
     * A builder pre-filled with these headers.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        values.forEach((name, list) -> builder.values.put(name, new ArrayList<>(list)));
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Headers headers && headers.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    /**
     * Header names only: values may be secrets, so they are never part of the string form.
     *
     * @return the names
     */
    @Override
    public String toString() {
        return "Headers" + values.keySet();
    }

    /** A mutable builder for {@link Headers}; not thread-safe. */
    public static final class Builder {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds a value, keeping earlier values of the same name.
         *
         * @param name  header name
         * @param value header value
         * @return this builder
         */
        public Builder add(String name, String value) {
            values.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>(1)).add(value);
            return this;
        }

        /**
         * Sets a header to a single value, replacing earlier values.
         *
         * @param name  header name
         * @param value header value
         * @return this builder
         */
        public Builder set(String name, String value) {
            List<String> list = new ArrayList<>(1);
            list.add(value);
            values.put(name.toLowerCase(Locale.ROOT), list);
            return this;
        }

        /**
         * Removes a header.
         *
         * @param name header name
         * @return this builder
         */
        public Builder remove(String name) {
            values.remove(name.toLowerCase(Locale.ROOT));
            return this;
        }

        /**
         * Builds the immutable headers.
         *
         * @return the headers
         */
        public Headers build() {
            if (values.isEmpty()) {
                return EMPTY;
            }
            Map<String, List<String>> copy = new LinkedHashMap<>(values.size() * 2);
            values.forEach((name, list) -> copy.put(name, List.copyOf(list)));
            return new Headers(Collections.unmodifiableMap(copy));
        }
    }
}
