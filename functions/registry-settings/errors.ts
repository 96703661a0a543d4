/**
 * Named errors of the registry settings custom resource's event handling. Each message is fit to
 * show in the CloudFormation console as the reason of a failed stack operation.
 */
import { PtcError } from '../../core/errors';
import { quote } from '../../core/quote';

/** The request types CloudFormation sends a custom resource. */
export const REQUEST_TYPES = ['Create', 'Update', 'Delete'] as const;

/** A request type CloudFormation does not send: refused before any read or write. */
export class UnknownRequestTypeError extends PtcError {
  constructor(
    /** The RequestType as received. */
    readonly requestType: unknown,
  ) {
    super(
      `RequestType ${typeof requestType === 'string' ? quote(requestType) : `of type ${requestType === null ? 'null' : typeof requestType}`} is not one CloudFormation sends (Create, Update or Delete); nothing was changed`,
    );
  }
}
