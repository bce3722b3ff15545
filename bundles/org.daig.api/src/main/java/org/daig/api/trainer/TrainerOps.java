package org.daig.api.trainer;

/**
 * The names of a trainer worker's operations on the wire (docs/worker-protocol.md). The worker
 * matches on these; callers use {@link TrainerClient} rather than the names.
 */
public final class TrainerOps {

    public static final String HELLO = "hello";
    public static final String LOAD = "load";
    public static final String INSPECT = "inspect";
    public static final String PARAMS = "params";
    public static final String SET = "set";
    public static final String CHECK = "check";
    public static final String CUT = "cut";
    public static final String TRAIN = "train";
    public static final String APPLY = "apply";
    public static final String EVALUATE = "evaluate";
    public static final String PREDICT = "predict";
    public static final String EXPORT = "export";
    /** Starts serving mixture-of-experts cells for remote trainers (issue 18); they run until stop-hosting. */
    public static final String HOST_EXPERTS = "host-experts";
    /** The hosted experts' parameters, in cell order. */
    public static final String EXPERT_PARAMS = "expert-params";
    public static final String STOP_HOSTING = "stop-hosting";
    /** Ends the worker; sent by the launcher when it closes a worker, not by callers. */
    public static final String SHUTDOWN = "shutdown";

    private TrainerOps() {
    }
}
