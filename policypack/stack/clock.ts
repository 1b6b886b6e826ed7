/**
 * The time of the check, for conditions on aws:CurrentTime and aws:EpochTime. The pack uses the
 * real time; a test replaces `now` with a fixed instant (and puts it back), so that verdicts that
 * depend on the date don't change as the calendar moves.
 */
export const clock = {
    now: (): Date => new Date(),
};
