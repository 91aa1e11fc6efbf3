package io.gateway.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.TokenUsage;
import io.gateway.spi.middleware.RequestOutcome;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServerOutcomeTest {

    @Test
    void withoutAJobNothingIsRegistered() {
        ServerOutcome outcome = new ServerOutcome();
        List<RequestOutcome> seen = new ArrayList<>();
        assertFalse(outcome.onAsyncJobFinished(seen::add));
        outcome.jobFinished();
        assertEquals(List.of(), seen);
    }

    @Test
    void actionsRegisteredWhileTheJobRunsRunOnceWhenItFinishesWithItsUsage() throws Exception {
        ServerOutcome outcome = new ServerOutcome();
        outcome.jobStarted();
        List<TokenUsage> seen = new ArrayList<>();
        AtomicReference<ClassLoader> loaderSeen = new AtomicReference<>();
        ClassLoader registrant = new URLClassLoader(new URL[0], null);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(registrant);
        try {
            assertTrue(outcome.onAsyncJobFinished(finished -> {
                loaderSeen.set(Thread.currentThread().getContextClassLoader());
                seen.add(finished.usage().orElseThrow());
            }));
        } finally {
            thread.setContextClassLoader(previous);
        }
        assertTrue(outcome.onAsyncJobFinished(finished -> {
            throw new IllegalStateException("a failing action does not stop the others");
        }));
        assertTrue(seen.isEmpty(), "nothing runs before the job finished");

        TokenUsage usage = TokenUsage.builder().inputTokens(5).outputTokens(7).build();
        Thread worker = new Thread(() -> {
            outcome.usage(usage);
            outcome.jobFinished();
            outcome.jobFinished();
        });
        worker.start();
        worker.join();

        assertEquals(List.of(usage), seen, "once, with the job's usage");
        assertSame(registrant, loaderSeen.get(), "under the registrant's context class loader");
    }

    @Test
    void anActionRegisteredAfterTheJobFinishedRunsAtOnce() {
        ServerOutcome outcome = new ServerOutcome();
        outcome.jobStarted();
        outcome.jobFinished();
        List<RequestOutcome> seen = new ArrayList<>();
        assertTrue(outcome.onAsyncJobFinished(seen::add));
        assertEquals(List.of(outcome), seen);
    }
}
