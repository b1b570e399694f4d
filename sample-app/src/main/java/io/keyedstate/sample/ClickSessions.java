package io.keyedstate.sample;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

import io.keyedstate.FiredTimer;
import io.keyedstate.KeyedState;
import io.keyedstate.OnTimer;
import io.keyedstate.Timers;
import io.keyedstate.ValueState;
import io.smallrye.reactive.messaging.kafka.Record;

/**
 * Users' browsing sessions: a session ends after {@code app.sessions.gap} (30 s) without a click,
 * and its summary is emitted then, by a timer. Input: topic {@code clicks}, key the user, value the
 * page, the record's timestamp the time of the click. Output: topic {@code sessions}, key the user,
 * value {@code clicks=<n> first=<ms> last=<ms>} (first and last click timestamps).
 * <p>
 * {@code app.sessions.time} picks what measures the gap: {@code event-time}, the clicks' own
 * timestamps (a session closes once later clicks on its partition are a gap past its last one, so
 * replays and late starts give the same sessions), or {@code processing-time}, the wall clock since
 * its last click was handled.
 */
@ApplicationScoped
public class ClickSessions {

    public enum SessionTime {
        EVENT_TIME,
        PROCESSING_TIME
    }

    /** The open session of a user; {@code closesAt} is when its timer fires, in the configured time. */
    public record Session(int clicks, long first, long last, long closesAt) {
    }

    @KeyedState
    ValueState<Session> session;

    @KeyedState
    Timers timers;

    @ConfigProperty(name = "app.sessions.gap")
    Duration gap;

    @ConfigProperty(name = "app.sessions.time")
    SessionTime time;

    @Inject
    Progress progress;

    @Incoming("clicks")
    @Outgoing("sessions")
    public Record<String, String> click(ConsumerRecord<String, String> click) {
        Session open = session.get();
        long at = click.timestamp();
        long closesAt = (time == SessionTime.EVENT_TIME ? Math.max(at, open == null ? at : open.last())
                : timers.currentProcessingTime()) + gap.toMillis();
        if (open != null) {
            delete(open.closesAt()); // the session goes on: its end moves
        }
        register(closesAt);
        session.set(open == null ? new Session(1, at, at, closesAt)
                : new Session(open.clicks() + 1, Math.min(open.first(), at), Math.max(open.last(), at), closesAt));
        progress.recordProcessed();
        return null; // nothing to send until the session ends
    }

    @OnTimer
    public Record<String, String> sessionEnded(FiredTimer timer) {
        Session ended = session.get();
        session.clear();
        progress.recordSessionEnded();
        return Record.of(timer.key(), "clicks=" + ended.clicks() + " first=" + ended.first() + " last=" + ended.last());
    }

    private void register(long at) {
        if (time == SessionTime.EVENT_TIME) {
            timers.registerEventTimeTimer(at);
        } else {
            timers.registerProcessingTimeTimer(at);
        }
    }

    private void delete(long at) {
        if (time == SessionTime.EVENT_TIME) {
            timers.deleteEventTimeTimer(at);
        } else {
            timers.deleteProcessingTimeTimer(at);
        }
    }
}
