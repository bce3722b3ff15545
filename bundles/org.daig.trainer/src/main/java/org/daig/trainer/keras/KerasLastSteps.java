package org.daig.trainer.keras;

import java.util.Map;

import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasLayerUtils;

/**
 * Imports the {@link LastStepsLayer} {@link ImportFixes} puts after a Bidirectional layer that
 * does not return sequences; its config names the wrapped layer's units and the merge mode.
 */
public final class KerasLastSteps extends KerasSameDiffImport {

    /** The class name ImportFixes gives the inserted layer. */
    static final String CLASS_NAME = "DaigBidirectionalLastSteps";

    public KerasLastSteps(Map<String, Object> layerConfig) throws InvalidKerasConfigurationException,
            UnsupportedKerasConfigurationException {
        super(layerConfig, "Bidirectional");
        Map<String, Object> config = KerasLayerUtils.getInnerLayerConfigFromConfig(layerConfig, conf);
        this.layer = new LastStepsLayer(layerName, ((Number) config.get("units")).longValue(), (String) config.get("merge_mode"));
    }

    @Override
    public int getNumParams() {
        return 0;
    }

    @Override
    public void copyWeightsToLayer(org.deeplearning4j.nn.api.Layer target) {
        // no weights
    }
}
