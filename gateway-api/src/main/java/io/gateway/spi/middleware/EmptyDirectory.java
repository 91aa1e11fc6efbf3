package io.gateway.spi.middleware;

import java.util.List;
import java.util.Optional;

/** The directory without keys: {@link VirtualKeyDirectory#empty()}. Stateless. */
final class EmptyDirectory implements VirtualKeyDirectory {

    static final EmptyDirectory INSTANCE = new EmptyDirectory();

    private EmptyDirectory() {
    }

    @Override
    public Optional<ManagedVirtualKey> find(String presented) {
        return Optional.empty();
    }

    @Override
    public List<ManagedVirtualKey> keys() {
        return List.of();
    }

    @Override
    public long version() {
        return 0;
    }
}
