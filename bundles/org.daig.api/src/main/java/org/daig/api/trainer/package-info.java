/**
 * Training workers: separate JVMs running Deeplearning4j, started and controlled by a
 * {@link org.daig.api.trainer.WorkerLauncher}. docs/worker-protocol.md lists the operations a
 * {@link org.daig.api.trainer.Worker} answers; {@link org.daig.api.trainer.TrainerClient} makes them typed calls.
 */
package org.daig.api.trainer;
