package io.gateway.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gateway.spi.EventStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The shared heartbeat: comments for silent streams only, a vanished client noticed, nothing kept. */
class HeartbeatTest {

    private static final String COMMENT = ": keep-alive\n\n";

    /** A stream that records that the relay's upstream call was cancelled. */
    private static EventStream closeRecorder(AtomicBoolean closed) {
        return EventStream.fromIterator(Collections.emptyIterator(), () -> closed.set(true));
    }

    @Test
    void aSilentStreamGetsACommentAboutOnceASecond() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Heartbeat heartbeat = new Heartbeat(out, closeRecorder(new AtomicBoolean()));
        try {
            heartbeat.write("data: a\n\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(2_700);
            String written;
            synchronized (heartbeat) {
                written = out.toString(StandardCharsets.US_ASCII);
            }
            int comments = (written.length() - "data: a\n\n".length()) / COMMENT.length();
            assertTrue(written.startsWith("data: a\n\n" + COMMENT), written);
            assertTrue(comments >= 1 && comments <= 2, comments + " comments in 2.7 s of silence: " + written);
            assertEquals(written, "data: a\n\n" + COMMENT.repeat(comments), "only whole comments after the event");
        } finally {
            heartbeat.stop();
        }
    }

    @Test
    void aStreamThatKeepsWritingGetsNoComment() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Heartbeat heartbeat = new Heartbeat(out, closeRecorder(new AtomicBoolean()));
        try {
            for (int i = 0; i < 10; i++) {
                heartbeat.write("data: x\n\n".getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(250);
            }
            synchronized (heartbeat) {
                assertFalse(out.toString(StandardCharsets.US_ASCII).contains("keep-alive"), out.toString());
            }
        } finally {
            heartbeat.stop();
        }
    }

    @Test
    void aClientThatLeftIsNoticedAndTheUpstreamCallClosed() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        CountDownLatch failed = new CountDownLatch(1);
        OutputStream gone = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                failed.countDown();
                throw new IOException("Broken pipe");
            }
        };
        int before = Heartbeat.open();
        Heartbeat heartbeat = new Heartbeat(gone, closeRecorder(closed));
        assertEquals(before + 1, Heartbeat.open());
        assertTrue(failed.await(3, TimeUnit.SECONDS), "no heartbeat was written within 3 s of silence");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!closed.get() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(closed.get(), "the upstream call was not closed");
        assertTrue(heartbeat.clientGone());
        assertEquals(before, Heartbeat.open(), "a stopped heartbeat is forgotten");
    }

    @Test
    void stopForgetsTheStream() {
        int before = Heartbeat.open();
        Heartbeat heartbeat = new Heartbeat(new ByteArrayOutputStream(), closeRecorder(new AtomicBoolean()));
        assertEquals(before + 1, Heartbeat.open());
        heartbeat.stop();
        heartbeat.stop();
        assertEquals(before, Heartbeat.open());
    }
}
