package dev.damselfly.scheduler.client.validation;

/** A message that a real scheduler would reject; names the message type, the field and the rule. */
public final class InvalidMessageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String messageType;
    private final String field;

    public InvalidMessageException(String messageType, String field, String rule) {
        super(messageType + "." + field + ": " + rule);
        this.messageType = messageType;
        this.field = field;
    }

    public String messageType() {
        return messageType;
    }

    public String field() {
        return field;
    }
}
