package io.gateway.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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

    private static final String[] NO_NAMES = {};
    @SuppressWarnings("unchecked")
    private static final List<String>[] NO_VALUES = new List[0];
    private static final Headers EMPTY = new Headers(NO_NAMES, NO_VALUES);

    // Parallel arrays rather than a map: a request's headers are few, are copied several times on
    // the way through the gateway, and are looked up by a handful of names; a linear scan over an
    // array beats hashing and the copies are two array clones.
    private final String[] names;
    private final List<String>[] values;
    private Set<String> nameSet;

    private Headers(String[] names, List<String>[] values) {
        this.names = names;
        this.values = values;
    }

    private int indexOf(String lowerName) {
        String[] all = names;
        for (int i = 0; i < all.length; i++) {
            if (all[i].equals(lowerName)) {
                return i;
            }
        }
        return -1;
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
        int i = indexOf(name.toLowerCase(Locale.ROOT));
        return i < 0 ? Optional.empty() : Optional.of(values[i].get(0));
    }

    /**
     * All values of a header, in order.
     *
     * @param name case-insensitive name
     * @return the values, empty if absent
     */
    public List<String> all(String name) {
        int i = indexOf(name.toLowerCase(Locale.ROOT));
        return i < 0 ? List.of() : values[i];
    }

    /**
     * Whether a header is present.
     *
     * @param name case-insensitive name
     * @return {@code true} if it has at least one value
     */
    public boolean contains(String name) {
        return indexOf(name.toLowerCase(Locale.ROOT)) >= 0;
    }

    /**
     * The lower-case names present.
     *
     * @return an unmodifiable set
     */
    public Set<String> names() {
        Set<String> set = nameSet;
        if (set == null) {
            set = Collections.unmodifiableSet(new LinkedHashSet<>(Arrays.asList(names)));
            nameSet = set;
        }
        return set;
    }

    /**
     * Calls {@code action} once per name with all its values.
     *
     * @param action receives the lower-case name and its values
     */
    public void forEach(BiConsumer<String, List<String>> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], values[i]);
        }
    }

    /**
     * Whether there are no headers.
     *
     * @return {@code true} if empty
     */
    public boolean isEmpty() {
        return names.length == 0;
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
        Builder builder = new Builder(names.length + 4);
        builder.names.addAll(Arrays.asList(names));
        builder.values.addAll(Arrays.asList(values));
        return builder;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Headers headers) || headers.names.length != names.length) {
            return false;
        }
        for (int i = 0; i < names.length; i++) {
            int j = headers.indexOf(names[i]);
            if (j < 0 || !headers.values[j].equals(values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 0;
        for (int i = 0; i < names.length; i++) {
            hash += names[i].hashCode() ^ values[i].hashCode();
        }
        return hash;
    }

    /**
     * Header names only: values may be secrets, so they are never part of the string form.
     *
     * @return the names
     */
    @Override
    public String toString() {
        return "Headers" + Arrays.toString(names);
    }

    /** A mutable builder for {@link Headers}; not thread-safe. */
    public static final class Builder {
        private final ArrayList<String> names;
        private final ArrayList<List<String>> values;

        private Builder() {
            this(8);
        }

        private Builder(int capacity) {
            names = new ArrayList<>(capacity);
            values = new ArrayList<>(capacity);
        }

        private int indexOf(String lowerName) {
            for (int i = 0, n = names.size(); i < n; i++) {
                if (names.get(i).equals(lowerName)) {
                    return i;
                }
            }
            return -1;
        }

        /**
         * Adds a value, keeping earlier values of the same name.
         *
         * @param name  header name
         * @param value header value, not {@code null}
         * @return this builder
         */
        public Builder add(String name, String value) {
            return put(name, value, true);
        }

        /**
         * Sets a header to a single value, replacing earlier values.
         *
         * @param name  header name
         * @param value header value, not {@code null}
         * @return this builder
         */
        public Builder set(String name, String value) {
            return put(name, value, false);
        }

        private Builder put(String name, String value, boolean keepEarlier) {
            Objects.requireNonNull(value, "header value");
            String lower = name.toLowerCase(Locale.ROOT);
            int i = indexOf(lower);
            if (i < 0) {
                names.add(lower);
                values.add(List.of(value));
            } else if (keepEarlier) {
                List<String> old = values.get(i);
                ArrayList<String> more = new ArrayList<>(old.size() + 1);
                more.addAll(old);
                more.add(value);
                values.set(i, more);
            } else {
                values.set(i, List.of(value));
            }
            return this;
        }

        /**
         * Removes a header.
         *
         * @param name header name
         * @return this builder
         */
        public Builder remove(String name) {
            int i = indexOf(name.toLowerCase(Locale.ROOT));
            if (i >= 0) {
                names.remove(i);
                values.remove(i);
            }
            return this;
        }

        /**
         * Builds the immutable headers.
         *
         * @return the headers
         */
        @SuppressWarnings("unchecked")
        public Headers build() {
            if (names.isEmpty()) {
                return EMPTY;
            }
            List<String>[] lists = new List[values.size()];
            for (int i = 0; i < lists.length; i++) {
                lists[i] = List.copyOf(values.get(i)); // the same instance when already immutable
            }
            return new Headers(names.toArray(NO_NAMES), lists);
        }
    }
}
