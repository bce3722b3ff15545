package org.daig.provider.work;

import org.daig.api.task.Task;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskResult;

/**
 * The provider's half of the task exchange with the coordinator: a request or a result is
 * published and its reply awaited; a lease given back needs no reply. Null stands for "no answer
 * in time" (or no connection): the caller asks again later.
 */
public interface TaskExchange {

    boolean isConnected();

    /** The broker this provider talks through, or null without a connection. */
    String brokerUrl();

    TaskReply askForTask() throws InterruptedException;

    TaskReply sendResult(TaskResult result) throws InterruptedException;

    void release(Task task, String reason);
}
