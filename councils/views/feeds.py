"""feeds views of the councils app."""

urlpatterns = []
