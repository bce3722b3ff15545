package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.daig.api.bus.Topics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The DS components come up in a real framework, and their metatype matches their config types. */
class ComponentsTest {

    private final Grid grid = new Grid();

    @AfterEach
    void tearDown() throws Exception {
        grid.close();
    }

    private ServiceComponentRuntime scr() {
        return grid.service(ServiceComponentRuntime.class, null).orElseThrow(() -> new AssertionError("Felix SCR is not running"));
    }

    private List<ComponentDescriptionDTO> daigComponents() {
        List<Bundle> bundles = Arrays.stream(grid.context.getBundles())
                .filter(b -> b.getSymbolicName().startsWith("org.daig.") && !b.getSymbolicName().equals("org.daig.itests")
                        && b.getState() == Bundle.ACTIVE)
                .toList();
        return new ArrayList<>(scr().getComponentDescriptionDTOs(bundles.toArray(Bundle[]::new)));
    }

    @Test
    void everyComponentActivatesOnceItsConnectionIsConfigured() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-components", url);
        grid.bus(Topics.PROVIDER, "prov-components", url);
        grid.awaitProviderServing("prov-components");

        Set<String> names = new TreeSet<>();
        for (ComponentDescriptionDTO description : daigComponents()) {
            names.add(description.name);
            assertTrue(scr().isComponentEnabled(description), description.name + " is disabled");
            for (ComponentConfigurationDTO configuration : scr().getComponentConfigurationDTOs(description)) {
                boolean waitsForDisplay = configuration.unsatisfiedReferences != null && configuration.unsatisfiedReferences.length == 1
                        && configuration.unsatisfiedReferences[0].name.equals("ui");
                if (waitsForDisplay) {
                    continue; // the tray appears with the desktop's display (TrayTest offers one)
                }
                assertTrue(configuration.state == ComponentConfigurationDTO.ACTIVE
                        || configuration.state == ComponentConfigurationDTO.SATISFIED,
                        description.name + " is in state " + configuration.state + " (unsatisfied references: "
                                + Arrays.toString(configuration.unsatisfiedReferences) + ", failure: " + configuration.failure + ")");
            }
        }
        for (String expected : List.of("org.daig.transport.mqtt.MqttMessageBus", "org.daig.broker.EmbeddedBroker",
                "org.daig.coordinator.presence.ProviderTracker", "org.daig.coordinator.http.StatusServlet",
                "org.daig.coordinator.http.ReadyAnnouncer", "org.daig.coordinator.presence.ProviderCommands",
                "org.daig.provider.ProviderAgent", "org.daig.provider.ProviderStatusServlet", "org.daig.monitor.OshiMachineInfo",
                "org.daig.coordinator.service.ProjectBook", "org.daig.coordinator.service.TaskExchange",
                "org.daig.coordinator.service.ResultIntake", "org.daig.coordinator.service.SubmissionDesk",
                "org.daig.coordinator.service.ProjectPreparer", "org.daig.coordinator.service.ProjectViews",
                "org.daig.coordinator.service.ModelExporter", "org.daig.coordinator.service.TrainerWorker",
                "org.daig.coordinator.service.Aggregation", "org.daig.coordinator.service.MetricsCounters",
                "org.daig.coordinator.http.ProjectsServlet", "org.daig.coordinator.http.OperatorServlet",
                "org.daig.coordinator.access.CoordinatorBlobAccess", "org.daig.blob.FileBlobStore",
                "org.daig.blob.BlobServlet")) {
            assertTrue(names.contains(expected), expected + " missing among " + names);
        }
    }

    @Test
    void theProvidersCommandListsProviders() throws Exception {
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-gogo", url);
        grid.bus(Topics.PROVIDER, "prov-gogo", url);
        grid.awaitProviderServing("prov-gogo");
        Object command = grid.serviceMatching("(&(osgi.command.scope=daig)(osgi.command.function=providers))")
                .orElseThrow(() -> new AssertionError("no daig:providers command"));
        String out = (String) command.getClass().getMethod("providers").invoke(command);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("prov-gogo") && l.contains("online")), out);
    }

    /** The metatype XML is written by hand (Tycho does not generate it): it must match the config types. */
    @Test
    void metatypeDescribesEveryConfigurationAttributeWithItsDefault() {
        MetaTypeService metatype = grid.service(MetaTypeService.class, null).orElseThrow();
        int checked = 0;
        for (ComponentDescriptionDTO description : daigComponents()) {
            if (description.configurationPid.length == 0 || description.configurationPid[0].equals(description.name)) {
                continue; // no configuration of its own
            }
            String pid = description.configurationPid[0];
            Bundle bundle = grid.context.getBundle(description.bundle.id);
            MetaTypeInformation info = metatype.getMetaTypeInformation(bundle);
            boolean factory = Arrays.asList(info.getFactoryPids()).contains(pid);
            assertTrue(factory || Arrays.asList(info.getPids()).contains(pid), "no metatype for " + pid);
            ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
            assertNotNull(ocd, pid);
            Map<String, String> declared = new HashMap<>();
            for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                declared.put(ad.getID(), ad.getDefaultValue() == null ? null : String.join(",", ad.getDefaultValue()));
            }
            Map<String, String> fromAnnotation = new HashMap<>();
            description.properties.forEach((key, value) -> {
                if (!key.startsWith("daig.") && !key.startsWith("osgi.") && !key.startsWith("service.") && !key.startsWith("component.")
                        && !key.endsWith(".target")) { // reference targets are DS's, not the component's attributes
                    fromAnnotation.put(key, String.valueOf(value));
                }
            });
            assertEquals(fromAnnotation, declared, "metatype of " + pid + " vs. the defaults of " + description.name);
            checked++;
        }
        assertTrue(checked >= 4, "checked " + checked + " configurations");
    }
}
