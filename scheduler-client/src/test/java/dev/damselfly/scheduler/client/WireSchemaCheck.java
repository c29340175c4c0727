package dev.damselfly.scheduler.client;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DescriptorProtos.DescriptorProto.ReservedRange;
import dev.damselfly.scheduler.proto.common.v2.CommonProto;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonProto;
import dev.damselfly.scheduler.proto.errordetails.v2.ErrorDetailsProto;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Compares the expected schema text (format in dragonfly-wire.txt) with our generated descriptors. */
final class WireSchemaCheck {
    static final List<FileDescriptor> FILES = List.of(CommonProto.getDescriptor(), SchedulerProto.getDescriptor(),
            DfdaemonProto.getDescriptor(), ErrorDetailsProto.getDescriptor());

    record Result(List<String> problems, int messages, int fields, int enumValues, int methods) {
    }

    private WireSchemaCheck() {
    }

    static Result check(String expected) {
        List<String> problems = new ArrayList<>();
        int messages = 0;
        int fields = 0;
        int enumValues = 0;
        int methods = 0;
        Descriptor msg = null;
        Set<Integer> listed = new HashSet<>();
        EnumDescriptor en = null;
        ServiceDescriptor svc = null;
        Map<String, Set<Integer>> listedByMessage = new HashMap<>();
        for (String raw : expected.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] t = line.split("\\s+");
            switch (t[0]) {
                case "message" -> {
                    msg = findMessage(t[1]);
                    en = null;
                    svc = null;
                    messages++;
                    listed = new HashSet<>();
                    listedByMessage.put(t[1], listed);
                    if (msg == null) {
                        problems.add("missing message " + t[1]);
                    }
                }
                case "enum" -> {
                    en = findEnum(t[1]);
                    msg = null;
                    svc = null;
                    if (en == null) {
                        problems.add("missing enum " + t[1]);
                    }
                }
                case "service" -> {
                    svc = findService(t[1]);
                    msg = null;
                    en = null;
                    if (svc == null) {
                        problems.add("missing service " + t[1]);
                    }
                }
                case "reserved" -> {
                    if (msg != null) {
                        int n = Integer.parseInt(t[1]);
                        if (msg.findFieldByNumber(n) != null) {
                            problems.add(msg.getFullName() + ": reserved number " + n + " is used by "
                                    + msg.findFieldByNumber(n).getName());
                        }
                        boolean reserved = false;
                        for (ReservedRange r : msg.toProto().getReservedRangeList()) {
                            reserved |= n >= r.getStart() && n < r.getEnd();
                        }
                        if (!reserved) {
                            problems.add(msg.getFullName() + ": number " + n + " is not reserved");
                        }
                    }
                }
                default -> {
                    if (svc != null) {
                        methods++;
                        checkMethod(svc, t, problems);
                    } else if (en != null) {
                        enumValues++;
                        EnumValueDescriptor v = en.findValueByNumber(Integer.parseInt(t[0]));
                        if (v == null || !v.getName().equals(t[1])) {
                            problems.add(en.getFullName() + ": value " + t[0] + " expected " + t[1] + " found "
                                    + (v == null ? "none" : v.getName()));
                        }
                    } else if (msg != null) {
                        fields++;
                        int n = Integer.parseInt(t[0]);
                        listed.add(n);
                        checkField(msg, n, t, problems);
                    } else if (!problems.isEmpty()) {
                        // a missing container was already reported
                    } else {
                        problems.add("line outside a block: " + line);
                    }
                }
            }
        }
        for (Map.Entry<String, Set<Integer>> e : listedByMessage.entrySet()) {
            Descriptor d = findMessage(e.getKey());
            if (d == null) {
                continue;
            }
            for (FieldDescriptor f : d.getFields()) {
                if (!e.getValue().contains(f.getNumber())) {
                    problems.add(d.getFullName() + ": field " + f.getNumber() + " " + f.getName() + " is not in the spec");
                }
            }
        }
        return new Result(problems, messages, fields, enumValues, methods);
    }

    private static void checkField(Descriptor msg, int number, String[] t, List<String> problems) {
        FieldDescriptor f = msg.findFieldByNumber(number);
        String name = t[1];
        StringBuilder type = new StringBuilder();
        String oneof = null;
        for (int i = 2; i < t.length; i++) {
            if (t[i].startsWith("oneof=")) {
                oneof = t[i].substring(6);
            } else {
                type.append(type.length() == 0 ? "" : " ").append(t[i]);
            }
        }
        String where = msg.getFullName() + " #" + number;
        if (f == null) {
            problems.add(where + ": missing field " + name);
            return;
        }
        if (!f.getName().equals(name)) {
            problems.add(where + ": name " + f.getName() + ", spec says " + name);
        }
        String actual = typeOf(f);
        if (!actual.equals(type.toString())) {
            problems.add(where + " " + name + ": type " + actual + ", spec says " + type);
        }
        String actualOneof = f.getRealContainingOneof() == null ? null : f.getRealContainingOneof().getName();
        if (oneof == null ? actualOneof != null : !oneof.equals(actualOneof)) {
            problems.add(where + " " + name + ": oneof " + actualOneof + ", spec says " + oneof);
        }
    }

    static String typeOf(FieldDescriptor f) {
        if (f.isMapField()) {
            Descriptor entry = f.getMessageType();
            return "map<" + baseType(entry.findFieldByName("key")) + "," + baseType(entry.findFieldByName("value")) + ">";
        }
        String base = baseType(f);
        if (f.isRepeated()) {
            return "repeated " + base;
        }
        if (f.toProto().getProto3Optional() && f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
            return "optional " + base;
        }
        return base;
    }

    private static String baseType(FieldDescriptor f) {
        return switch (f.getType()) {
            case MESSAGE -> f.getMessageType().getFullName();
            case ENUM -> f.getEnumType().getFullName();
            default -> f.getType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static void checkMethod(ServiceDescriptor svc, String[] t, List<String> problems) {
        MethodDescriptor m = svc.findMethodByName(t[0]);
        if (m == null) {
            problems.add(svc.getFullName() + ": missing method " + t[0]);
            return;
        }
        int i = 1;
        boolean clientStream = t[i].equals("stream");
        if (clientStream) {
            i++;
        }
        String in = t[i++];
        boolean serverStream = t[i].equals("stream");
        if (serverStream) {
            i++;
        }
        String out = t[i];
        String expected = (clientStream ? "stream " : "") + in + " -> " + (serverStream ? "stream " : "") + out;
        String actual = (m.isClientStreaming() ? "stream " : "") + m.getInputType().getFullName() + " -> "
                + (m.isServerStreaming() ? "stream " : "") + m.getOutputType().getFullName();
        if (!expected.equals(actual)) {
            problems.add(svc.getFullName() + "/" + t[0] + ": " + actual + ", spec says " + expected);
        }
    }

    private static Descriptor findMessage(String fullName) {
        for (FileDescriptor f : FILES) {
            for (Descriptor d : f.getMessageTypes()) {
                if (d.getFullName().equals(fullName)) {
                    return d;
                }
            }
        }
        return null;
    }

    private static EnumDescriptor findEnum(String fullName) {
        for (FileDescriptor f : FILES) {
            for (EnumDescriptor d : f.getEnumTypes()) {
                if (d.getFullName().equals(fullName)) {
                    return d;
                }
            }
        }
        return null;
    }

    private static ServiceDescriptor findService(String fullName) {
        for (FileDescriptor f : FILES) {
            for (ServiceDescriptor d : f.getServices()) {
                if (d.getFullName().equals(fullName)) {
                    return d;
                }
            }
        }
        return null;
    }
}
