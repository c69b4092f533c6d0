import DeadboltSignIn

extension DeliveryFailure {
    /// The outbox worker's view of this failure: retry it later, or give it up.
    var messageDeliveryError: MessageDeliveryError {
        isPermanent ? .permanent(description) : .temporary(description)
    }
}
